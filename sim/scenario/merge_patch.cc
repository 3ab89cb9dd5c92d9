// The patches the loader applies to stored objects: `kubectl patch` (merge
// and strategic merge) and the fields `kubectl set` and `scale` change.
#include <utility>

#include "loader.h"

namespace kubesim::scenario::loader {

NodePtr SetIn(const NodePtr& node, const std::vector<PathElem>& path, size_t i,
              const NodePtr& value) {
  if (i == path.size()) return value;
  if (!path[i].is_index) {
    const std::string* key = &path[i].key;
    std::vector<yaml::Entry> entries;
    yaml::Mark mark = value->mark;
    bool found = false;
    if (node && node->IsMap()) {
      entries = node->entries;
      mark = node->mark;
    }
    for (auto& e : entries) {
      if (e.key == *key) {
        e.value = SetIn(e.value, path, i + 1, value);
        found = true;
      }
    }
    if (!found) entries.push_back(yaml::Entry{*key, mark, SetIn(nullptr, path, i + 1, value)});
    return yaml::MakeMap(std::move(entries), mark);
  }
  const size_t index = path[i].index;
  std::vector<NodePtr> items;
  yaml::Mark mark = value->mark;
  if (node && node->IsSequence()) {
    items = node->items;
    mark = node->mark;
  }
  if (index >= items.size()) return node;  // cannot happen for decoded objects
  items[index] = SetIn(items[index], path, i + 1, value);
  return yaml::MakeSequence(std::move(items), mark);
}

namespace {

// A copy of `n` with every mark set to `mark` (patch text has its own lines).
NodePtr Relocate(const Node& n, yaml::Mark mark) {
  auto c = std::make_shared<Node>(n);
  c->mark = mark;
  for (auto& item : c->items) item = Relocate(*item, mark);
  for (auto& e : c->entries) {
    e.key_mark = mark;
    e.value = Relocate(*e.value, mark);
  }
  return c;
}

bool IsListOfNamedMaps(const Node& n) {
  return n.IsSequence() && std::all_of(n.items.begin(), n.items.end(), [](const NodePtr& i) {
           return i->IsMap() && i->Get("name") != nullptr && i->Get("name")->IsScalar();
         });
}

}  // namespace

// RFC 7386 JSON merge patch; `strategic` adds the strategic-merge rule that
// matters for the kinds simulated: lists of objects with a `name` (containers,
// ports) merge by name.
NodePtr MergePatch(const NodePtr& target, const Node& patch, bool strategic, yaml::Mark mark) {
  if (!patch.IsMap()) return Relocate(patch, mark);
  std::vector<yaml::Entry> entries;
  yaml::Mark at = mark;
  if (target && target->IsMap()) {
    entries = target->entries;
    at = target->mark;
  }
  for (const auto& pe : patch.entries) {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const yaml::Entry& e) { return e.key == pe.key; });
    if (pe.value->IsNull()) {
      if (it != entries.end()) entries.erase(it);
      continue;
    }
    NodePtr merged;
    if (it != entries.end() && strategic && IsListOfNamedMaps(*it->value) &&
        IsListOfNamedMaps(*pe.value)) {
      std::vector<NodePtr> items = it->value->items;
      for (const auto& pi : pe.value->items) {
        const std::string& name = pi->Get("name")->scalar;
        auto match = std::find_if(items.begin(), items.end(), [&](const NodePtr& x) {
          return x->Get("name")->scalar == name;
        });
        if (match != items.end()) {
          *match = MergePatch(*match, *pi, strategic, mark);
        } else {
          items.push_back(MergePatch(nullptr, *pi, strategic, mark));
        }
      }
      merged = yaml::MakeSequence(std::move(items), it->value->mark);
    } else {
      merged = MergePatch(it != entries.end() ? it->value : nullptr, *pe.value, strategic, mark);
    }
    if (it != entries.end()) {
      it->value = merged;
    } else {
      entries.push_back(yaml::Entry{pe.key, mark, merged});
    }
  }
  return yaml::MakeMap(std::move(entries), at);
}
}  // namespace kubesim::scenario::loader
