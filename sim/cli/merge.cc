// `kubesim merge PART.csv... [--out FILE.csv]` (docs/sweeps.md): joins the
// CSV files of a sharded sweep (`kubesim sweep --shard I/N --out PART.csv`)
// into the file one unsharded sweep writes: the same header, every row once,
// sorted by run number.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <charconv>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/subcommands.h"
#include "kubesim/output/file.h"
#include "kubesim/scenario/load.h"
#include "kubesim/sweep/runner.h"

namespace po = boost::program_options;

namespace kubesim::cli {

int RunMerge(std::span<const std::string> args) {
  po::options_description visible("Options");
  visible.add_options()("help,h", "print this help")  //
      ("out,o", po::value<std::string>()->value_name("FILE.csv"),
       "write the merged file here (default: stdout)");
  const auto parsed = ParseArguments(args, visible, "part", "merge");
  if (!parsed) return kExitBadInput;
  const po::variables_map& vm = *parsed;
  if (vm.count("help")) {
    std::ostringstream opts;
    opts << visible;
    std::fputs(("Usage: kubesim merge PART.csv... [--out FILE.csv]\n\n"
                "Joins the CSV files of a sharded sweep (kubesim sweep --shard I/N --out\n"
                "PART.csv) into the file an unsharded sweep writes: one header, every run's\n"
                "row once, sorted by run number. The parts must come from the same sweep\n"
                "(the same header); a run found in two parts must have the same row.\n\n" +
                opts.str())
                   .c_str(),
               stdout);
    return kExitOk;
  }
  if (!vm.count("part")) {
    UsageError("merge needs at least one PART.csv; try 'kubesim merge --help'");
    return kExitBadInput;
  }
  std::string header;
  std::map<size_t, std::pair<std::string, std::string>> rows;  // run -> (line, where)
  for (const std::string& part : vm["part"].as<std::vector<std::string>>()) {
    const auto text = scenario::ReadFileFromDisk(part);
    if (!text) {
      std::fputs(fmt::format("{}: error: {}\n", part, text.error()).c_str(), stderr);
      return kExitBadInput;
    }
    const size_t first = text->find('\n');
    if (first == std::string::npos || !text->starts_with("run,")) {
      std::fputs(
          fmt::format("{}:1:1: error: not a sweep's CSV (its header starts with run,)\n", part)
              .c_str(),
          stderr);
      return kExitBadInput;
    }
    const std::string part_header = text->substr(0, first + 1);
    if (header.empty()) {
      header = part_header;
    } else if (part_header != header) {
      std::fputs(fmt::format("{}:1:1: error: this header differs from the first part's: the "
                             "parts come from different sweeps\n",
                             part)
                     .c_str(),
                 stderr);
      return kExitBadInput;
    }
    const auto columns = sweep::SplitCsvLine(header.substr(0, header.size() - 1));
    size_t at = first + 1;
    int line_no = 1;
    while (at < text->size()) {
      ++line_no;
      const size_t nl = text->find('\n', at);
      if (nl == std::string::npos) {
        std::fputs(fmt::format("{}:{}:1: error: the last line is cut short (the shard was "
                               "stopped): finish it with kubesim sweep --resume first\n",
                               part, line_no)
                       .c_str(),
                   stderr);
        return kExitBadInput;
      }
      const std::string line = text->substr(at, nl - at + 1);
      const auto fields = sweep::SplitCsvLine(line.substr(0, line.size() - 1));
      size_t run = 0;
      const bool number =
          fields && !fields->empty() &&
          std::from_chars((*fields)[0].data(), (*fields)[0].data() + (*fields)[0].size(), run).ec ==
              std::errc();
      if (!fields || !columns || fields->size() != columns->size() || !number) {
        std::fputs(fmt::format("{}:{}:1: error: not a row of this sweep ({} columns expected)\n",
                               part, line_no, columns ? columns->size() : 0)
                       .c_str(),
                   stderr);
        return kExitBadInput;
      }
      const std::string where = fmt::format("{}:{}", part, line_no);
      const auto [it, added] = rows.emplace(run, std::make_pair(line, where));
      if (!added && it->second.first != line) {
        std::fputs(fmt::format("{}:1: error: run {} differs from its row at {}\n", where, run,
                               it->second.second)
                       .c_str(),
                   stderr);
        return kExitBadInput;
      }
      at = nl + 1;
    }
  }
  std::string content = header;
  for (const auto& [run, row] : rows) content += row.first;
  if (!vm.count("out")) {
    std::fputs(content.c_str(), stdout);
    return kExitOk;
  }
  if (auto err = output::WriteFileAtomically(vm["out"].as<std::string>(), content)) {
    UsageError(fmt::format("--out: {}", *err));
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace kubesim::cli
