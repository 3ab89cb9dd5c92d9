// Swept parameters in YAML documents; see vary.h.
#include "vary.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace kubesim::sweep {
namespace {

// A copy of `n` with every mark set to `mark` (a value from the sweep file
// placed in the scenario: errors then point at the field it replaced).
yaml::NodePtr Remark(const yaml::Node& n, yaml::Mark mark) {
  switch (n.kind) {
    case yaml::Kind::kNull:
      return yaml::MakeNull(mark);
    case yaml::Kind::kScalar:
      return yaml::MakeScalar(n.scalar, mark, n.plain);
    case yaml::Kind::kSequence: {
      std::vector<yaml::NodePtr> items;
      for (const auto& i : n.items) items.push_back(Remark(*i, mark));
      return yaml::MakeSequence(std::move(items), mark);
    }
    case yaml::Kind::kMap: {
      std::vector<yaml::Entry> entries;
      for (const auto& e : n.entries) entries.push_back({e.key, mark, Remark(*e.value, mark)});
      return yaml::MakeMap(std::move(entries), mark);
    }
  }
  return yaml::MakeNull(mark);
}

std::string Where(const std::vector<Segment>& field, size_t upto) {
  std::string out;
  for (size_t i = 0; i < upto && i < field.size(); ++i) {
    if (field[i].index) {
      out += fmt::format("[{}]", *field[i].index);
    } else {
      out += fmt::format("{}{}", out.empty() ? "" : ".", field[i].key);
    }
  }
  return out.empty() ? "the document" : out;
}

Expected<yaml::NodePtr> Set(const yaml::NodePtr& node, const std::vector<Segment>& field, size_t i,
                            const yaml::NodePtr& value) {
  if (i == field.size()) return Remark(*value, node->mark);
  const Segment& s = field[i];
  if (s.index) {
    if (!node->IsSequence()) {
      return Error{fmt::format("{} is {}, not a list", Where(field, i), yaml::Describe(*node))};
    }
    if (*s.index >= node->items.size()) {
      return Error{fmt::format("{}[{}] is past the end of the list ({} item{})", Where(field, i),
                               *s.index, node->items.size(), node->items.size() == 1 ? "" : "s")};
    }
    std::vector<yaml::NodePtr> items = node->items;
    auto set = Set(items[*s.index], field, i + 1, value);
    if (!set) return set;
    items[*s.index] = *set;
    return yaml::MakeSequence(std::move(items), node->mark);
  }
  if (!node->IsMap() && !node->IsNull()) {
    return Error{fmt::format("{} is {}, not a mapping", Where(field, i), yaml::Describe(*node))};
  }
  std::vector<yaml::Entry> entries = node->entries;
  for (yaml::Entry& e : entries) {
    if (e.key != s.key) continue;
    auto set = Set(e.value, field, i + 1, value);
    if (!set) return set;
    e.value = *set;
    return yaml::MakeMap(std::move(entries), node->mark);
  }
  auto set = Set(yaml::MakeNull(node->mark), field, i + 1, value);
  if (!set) return set;
  entries.push_back({s.key, node->mark, *set});
  return yaml::MakeMap(std::move(entries), node->mark);
}

bool NeedsQuotes(const yaml::Node& n) {
  if (!n.plain) return true;
  return n.scalar.empty() || n.scalar.find_first_of(",[]{}:#\"'\n") != std::string::npos;
}

}  // namespace

Expected<std::vector<Segment>> ParseField(std::string_view text) {
  std::vector<Segment> out;
  size_t i = 0;
  const auto bad = [&](std::string_view why) {
    return Error{fmt::format("the field path \"{}\" {}", text, why)};
  };
  if (text.empty()) return bad("is empty");
  while (i < text.size()) {
    if (text[i] == '[') {
      const size_t close = text.find(']', i);
      if (close == std::string_view::npos) return bad("has a '[' without ']'");
      const std::string_view inside = text.substr(i + 1, close - i - 1);
      if (inside.size() >= 2 && inside.front() == '"' && inside.back() == '"') {
        out.push_back({std::string(inside.substr(1, inside.size() - 2)), std::nullopt});
      } else {
        if (inside.empty() || inside.size() > 9 ||
            inside.find_first_not_of("0123456789") != std::string_view::npos) {
          return bad(
              fmt::format("has \"[{}]\": a list index is a number, a key with dots "
                          "is written [\"key\"]",
                          inside));
        }
        size_t index = 0;
        for (char c : inside) index = index * 10 + static_cast<size_t>(c - '0');
        out.push_back({"", index});
      }
      i = close + 1;
      if (i < text.size() && text[i] == '.') {
        ++i;
        if (i == text.size()) return bad("ends with '.'");
      }
      continue;
    }
    const size_t end = text.find_first_of(".[", i);
    const std::string_view key =
        text.substr(i, end == std::string_view::npos ? text.npos : end - i);
    if (key.empty()) return bad("has an empty key (two dots, or a dot first)");
    if (key.find(']') != std::string_view::npos) return bad("has a ']' without '['");
    out.push_back({std::string(key), std::nullopt});
    if (end == std::string_view::npos) break;
    i = end;
    if (text[i] == '.') {
      ++i;
      if (i == text.size()) return bad("ends with '.'");
    }
  }
  return out;
}

Expected<Parameter> ParsePath(std::string_view path) {
  Parameter p;
  p.path = std::string(path);
  if (path.starts_with("Scenario.")) {
    p.kind = "Scenario";
    auto field = ParseField(path.substr(9));
    if (!field) return Error{field.error()};
    p.field = *field;
    return p;
  }
  if (path.starts_with("Scenario/")) {
    return Error{
        fmt::format("the path \"{}\": the Scenario is named by Scenario.FIELD (such as "
                    "Scenario.spec.cluster.nodes[0].count), with no name",
                    path)};
  }
  const size_t slash = path.find('/');
  const size_t dot = path.find('.');
  if (slash == std::string_view::npos || slash == 0 ||
      (dot != std::string_view::npos && dot < slash)) {
    return Error{
        fmt::format("the path \"{}\" names no document: write Scenario.FIELD or "
                    "KIND/NAME.FIELD (such as Deployment/web.spec.replicas)",
                    path)};
  }
  p.kind = std::string(path.substr(0, slash));
  const std::string_view rest = path.substr(slash + 1);
  // The object is what comes before the field; names may hold dots, so for
  // messages and this check take the text up to the first dot.
  const size_t first_dot = rest.find('.');
  if (first_dot == std::string_view::npos || first_dot == 0 || first_dot + 1 == rest.size()) {
    return Error{
        fmt::format("the path \"{}\" has no field after the object's name (such as "
                    "{}/NAME.spec.replicas)",
                    path, p.kind)};
  }
  p.object = std::string(rest.substr(0, first_dot));
  // The field's syntax, as if the name held no dot (a dotted name only moves
  // where the field starts).
  auto field = ParseField(rest.substr(first_dot + 1));
  if (!field) return Error{field.error()};
  return p;
}

std::optional<std::vector<Segment>> FieldFor(const Parameter& p, const yaml::Node& root) {
  if (!root.IsMap()) return std::nullopt;
  const yaml::Node* kind = root.Get("kind");
  if (kind == nullptr || !kind->IsScalar() || kind->scalar != p.kind) return std::nullopt;
  if (p.kind == "Scenario") {
    const yaml::Node* api = root.Get("apiVersion");
    if (api == nullptr || !api->IsScalar() || !api->scalar.starts_with("kubesim/")) {
      return std::nullopt;
    }
    return p.field;
  }
  const yaml::Node* md = root.Get("metadata");
  const yaml::Node* name = md != nullptr && md->IsMap() ? md->Get("name") : nullptr;
  if (name == nullptr || !name->IsScalar() || name->scalar.empty()) return std::nullopt;
  const yaml::Node* ns = md->Get("namespace");
  const std::string namespaced =
      (ns != nullptr && ns->IsScalar() && !ns->scalar.empty() ? ns->scalar : "default") + "/" +
      name->scalar;
  const std::string_view rest = std::string_view(p.path).substr(p.kind.size() + 1);
  // The field starts with a top-level key of a Kubernetes object: so that
  // Deployment/web.v2.spec.replicas names web.v2 and never web (field "v2...").
  static constexpr std::array<std::string_view, 10> kTopLevel = {
      "apiVersion", "kind",       "metadata",   "spec", "status",
      "data",       "stringData", "binaryData", "type", "immutable"};
  for (const std::string& n : {namespaced, name->scalar}) {
    if (rest.size() > n.size() + 1 && rest.starts_with(n) && rest[n.size()] == '.') {
      auto field = ParseField(rest.substr(n.size() + 1));
      if (field && !field->empty() && !(*field)[0].index &&
          std::find(kTopLevel.begin(), kTopLevel.end(), (*field)[0].key) != kTopLevel.end()) {
        return *field;
      }
    }
  }
  return std::nullopt;
}

yaml::Mark TargetMark(const yaml::Node& root, const std::vector<Segment>& field) {
  const yaml::Node* at = &root;
  for (const Segment& s : field) {
    const yaml::Node* next = nullptr;
    if (s.index && at->IsSequence() && *s.index < at->items.size()) {
      next = at->items[*s.index].get();
    } else if (!s.index && at->IsMap()) {
      next = at->Get(s.key);
    }
    if (next == nullptr) break;
    at = next;
  }
  return at->mark;
}

Expected<yaml::NodePtr> SetField(const yaml::NodePtr& root, const std::vector<Segment>& field,
                                 const yaml::NodePtr& value) {
  return Set(root, field, 0, value);
}

namespace {
std::string Flow(const yaml::Node& n, bool nested) {
  switch (n.kind) {
    case yaml::Kind::kNull:
      return "null";
    case yaml::Kind::kScalar:
      // A scalar alone is its text ("25%", not "\"25%\""), unless it spans
      // lines (a CSV row is one line); in a collection it is quoted where
      // flow YAML needs it.
      if (!NeedsQuotes(n) || (!nested && n.scalar.find_first_of("\r\n") == std::string::npos)) {
        return n.scalar;
      }
      {
        std::string out = "\"";
        for (char c : n.scalar) {
          if (c == '"' || c == '\\') out += '\\';
          if (c == '\n' || c == '\r') {
            out += c == '\n' ? "\\n" : "\\r";
            continue;
          }
          out += c;
        }
        return out + "\"";
      }
    case yaml::Kind::kSequence: {
      std::string out = "[";
      for (size_t i = 0; i < n.items.size(); ++i) {
        out += fmt::format("{}{}", i ? ", " : "", Flow(*n.items[i], true));
      }
      return out + "]";
    }
    case yaml::Kind::kMap: {
      std::string out = "{";
      for (size_t i = 0; i < n.entries.size(); ++i) {
        out += fmt::format("{}{}: {}", i ? ", " : "", n.entries[i].key,
                           Flow(*n.entries[i].value, true));
      }
      return out + "}";
    }
  }
  return "";
}
}  // namespace

std::string FlowText(const yaml::Node& value) { return Flow(value, false); }

}  // namespace kubesim::sweep
