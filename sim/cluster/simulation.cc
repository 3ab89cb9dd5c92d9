#include "kubesim/cluster/simulation.h"

#include "world.h"

namespace kubesim::cluster {

Simulation::Simulation(std::shared_ptr<const scenario::Scenario> scenario,
                       SimulationOptions options)
    : seed_(options.seed.value_or(scenario->seed)) {
  world_ = std::make_unique<World>(std::move(scenario), seed_, options);
}

Simulation::~Simulation() = default;

void Simulation::AddObserver(Observer* observer) { world_->AddObserver(observer); }

RunResult Simulation::Run() {
  const WorldResult r = world_->Run();
  return RunResult{r.end,           r.events,
                   seed_,           r.budget_exhausted,
                   r.pods_exhausted, r.invariant_violation,
                   r.recent_events};
}

}  // namespace kubesim::cluster
