// The patches the loader applies to stored objects: `kubectl patch` (merge,
// strategic merge and JSON patch) and the fields `kubectl set` and `scale`
// change.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
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

NodePtr ThreeWayMerge(const NodePtr& live, const NodePtr& last, const Node& next) {
  // Scalars and plain lists: the new manifest's, as the patch sets them.
  if (!next.IsMap() || !live || !live->IsMap()) {
    if (next.IsSequence() && live && IsListOfNamedMaps(*live) && IsListOfNamedMaps(next)) {
      // Strategic merge by name: each item the manifest lists merges with
      // the live item of its name; a live item the manifest drops goes if
      // the last apply listed it, else stays (someone else added it).
      const auto find = [](const Node* list, const std::string& name) -> NodePtr {
        if (list == nullptr || !list->IsSequence()) return nullptr;
        for (const NodePtr& i : list->items) {
          if (i->IsMap() && i->Get("name") != nullptr && i->Get("name")->IsScalar() &&
              i->Get("name")->scalar == name) {
            return i;
          }
        }
        return nullptr;
      };
      std::vector<NodePtr> items;
      for (const NodePtr& ni : next.items) {
        const std::string& name = ni->Get("name")->scalar;
        const NodePtr li = find(live.get(), name);
        items.push_back(li ? ThreeWayMerge(li, find(last.get(), name), *ni) : ni);
      }
      for (const NodePtr& li : live->items) {
        const std::string& name = li->Get("name")->scalar;
        if (!find(&next, name) && !find(last.get(), name)) items.push_back(li);
      }
      return yaml::MakeSequence(std::move(items), next.mark);
    }
    return std::make_shared<Node>(next);
  }
  std::vector<yaml::Entry> entries;
  for (const yaml::Entry& le : live->entries) {
    const Node* nv = next.Get(le.key);
    if (nv != nullptr) {
      const Node* lastv = last && last->IsMap() ? last->Get(le.key) : nullptr;
      NodePtr last_child;
      if (lastv != nullptr) {
        for (const auto& e : last->entries) {
          if (e.key == le.key) last_child = e.value;
        }
      }
      NodePtr next_child;
      for (const auto& e : next.entries) {
        if (e.key == le.key) next_child = e.value;
      }
      entries.push_back(
          yaml::Entry{le.key, le.key_mark, ThreeWayMerge(le.value, last_child, *next_child)});
      continue;
    }
    // Not in the new manifest: deleted if the last apply set it, else kept
    // (a `scale`, a `set image`, a patch, a controller wrote it).
    if (last && last->IsMap() && last->Get(le.key) != nullptr) continue;
    entries.push_back(le);
  }
  for (const yaml::Entry& ne : next.entries) {
    if (live->Get(ne.key) == nullptr) entries.push_back(ne);
  }
  return yaml::MakeMap(std::move(entries), next.mark);
}

namespace {

// ordered_json keeps a mapping's keys in file order through the round trip.
using Json = nlohmann::ordered_json;

// A node as the API server sees it: the YAML as Kubernetes' YAML decoder
// (go-yaml v2) resolves it and converts it to JSON — `3` a number, `"3"` a
// string, `yes` true.
Json ToJson(const Node& n) {
  switch (n.kind) {
    case yaml::Kind::kNull:
      return nullptr;
    case yaml::Kind::kSequence: {
      Json a = Json::array();
      for (const NodePtr& i : n.items) a.push_back(ToJson(*i));
      return a;
    }
    case yaml::Kind::kMap: {
      Json o = Json::object();
      for (const yaml::Entry& e : n.entries) o[e.key] = ToJson(*e.value);
      return o;
    }
    case yaml::Kind::kScalar:
      break;
  }
  switch (yaml::Resolve(n)) {
    case yaml::ScalarType::kNull:
      return nullptr;
    case yaml::ScalarType::kBool:
      return *yaml::ResolveBool(n.scalar);
    case yaml::ScalarType::kString:
      return n.scalar;
    case yaml::ScalarType::kInt: {
      int64_t v = 0;
      bool overflow = false;
      if (k8s::ParseYamlInt(n.scalar, &v, &overflow)) return v;
      uint64_t u = 0;
      const auto [end, ec] = std::from_chars(n.scalar.data(), n.scalar.data() + n.scalar.size(), u);
      if (ec == std::errc() && end == n.scalar.data() + n.scalar.size()) return u;
      break;  // beyond 64 bits: a float, as go-yaml resolves it
    }
    case yaml::ScalarType::kFloat:
      break;
  }
  std::string t;
  for (char c : n.scalar) {
    if (c != '_') t.push_back(c);
  }
  const bool negative = !t.empty() && t[0] == '-';
  std::string_view v = t;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) v.remove_prefix(1);
  if (v == ".inf" || v == ".Inf" || v == ".INF") {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (v == ".nan" || v == ".NaN" || v == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  return std::strtod(t.c_str(), nullptr);
}

// The tree of `j`, reusing the nodes of `orig` (the same place before the
// patch) that the patch left as they were, so their positions and exact
// text survive; new nodes are placed at `mark`. Strings come back quoted
// and numbers plain, so `"web:2"` and `3` decode exactly as the same
// values written in a manifest.
NodePtr FromJson(const Json& j, const NodePtr& orig, yaml::Mark mark) {
  if (orig && ToJson(*orig) == j) return orig;
  switch (j.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      return yaml::MakeNull(mark);
    case Json::value_t::boolean:
      return yaml::MakeScalar(j.get<bool>() ? "true" : "false", mark, true);
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return yaml::MakeScalar(j.dump(), mark, true);
    case Json::value_t::number_float: {
      const double d = j.get<double>();
      if (std::isnan(d)) return yaml::MakeScalar(".nan", mark, true);
      if (std::isinf(d)) return yaml::MakeScalar(d < 0 ? "-.inf" : ".inf", mark, true);
      return yaml::MakeScalar(j.dump(), mark, true);
    }
    case Json::value_t::string:
      return yaml::MakeScalar(j.get<std::string>(), mark, false);
    case Json::value_t::binary:
      return yaml::MakeNull(mark);  // never parsed from text
    case Json::value_t::array: {
      const bool seq = orig && orig->IsSequence();
      std::vector<Json> before;
      if (seq) {
        for (const NodePtr& i : orig->items) before.push_back(ToJson(*i));
      }
      std::vector<NodePtr> items;
      for (size_t i = 0; i < j.size(); ++i) {
        // An item the patch did not touch, perhaps moved by an add or a
        // remove before it, keeps its node.
        NodePtr same;
        if (seq && i < before.size() && before[i] == j[i]) same = orig->items[i];
        for (size_t k = 0; !same && k < before.size(); ++k) {
          if (before[k] == j[i]) same = orig->items[k];
        }
        items.push_back(
            same ? same
                 : FromJson(j[i], seq && i < orig->items.size() ? orig->items[i] : nullptr, mark));
      }
      return yaml::MakeSequence(std::move(items), seq ? orig->mark : mark);
    }
    case Json::value_t::object: {
      const bool map = orig && orig->IsMap();
      std::vector<yaml::Entry> entries;
      for (const auto& [key, value] : j.items()) {
        const yaml::Entry* e = map ? orig->Find(key) : nullptr;
        entries.push_back(yaml::Entry{key, e ? e->key_mark : mark,
                                      FromJson(value, e ? e->value : nullptr, mark)});
      }
      return yaml::MakeMap(std::move(entries), map ? orig->mark : mark);
    }
  }
  return yaml::MakeNull(mark);
}

// Whether `n` is JSON null (`null`, or a YAML null such as `~`).
bool IsNullNode(const Node& n) {
  return n.IsNull() || (n.IsScalar() && yaml::Resolve(n) == yaml::ScalarType::kNull);
}

// Go's name of a JSON value's kind in json.UnmarshalTypeError.
std::string GoKind(const Node& n) {
  if (n.IsMap()) return "object";
  if (n.IsSequence()) return "array";
  switch (yaml::Resolve(n)) {
    case yaml::ScalarType::kBool:
      return "bool";
    case yaml::ScalarType::kInt:
    case yaml::ScalarType::kFloat:
      return "number";
    default:
      return "string";
  }
}

// strconv.Atoi, with its error.
bool Atoi(const std::string& s, int64_t* out, std::string* error) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') ++b;
  const auto [end, ec] = std::from_chars(b, e, *out);
  if (b == e || ec == std::errc::invalid_argument || end != e || (*b == '-' && b + 1 == e) ||
      (s.size() > 1 && s[0] == '+' && s[1] == '-')) {
    *error = fmt::format("strconv.Atoi: parsing \"{}\": invalid syntax", s);
    return false;
  }
  if (ec == std::errc::result_out_of_range) {
    *error = fmt::format("strconv.Atoi: parsing \"{}\": value out of range", s);
    return false;
  }
  return true;
}

std::string InvalidIndex(int64_t i) {
  return fmt::format("Unable to access invalid index: {}: invalid index referenced", i);
}

std::string Escape(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out.push_back(c);
  }
  return out;
}

// Where a JSON pointer leads, as evanphx/json-patch's findObject walks it
// (gopkg.in/evanphx/json-patch.v4, patch.go): the container of its last
// token (null if a step on the way is missing, null or a scalar; an array
// index may be negative, counted from the end), the last token, and the
// pointer with every index made plain for nlohmann::json.
struct Place {
  const Json* container = nullptr;
  std::string key;
  std::string pointer;  // of the container, "" for the document
};

Place Find(const Json& doc, const std::string& path) {
  std::vector<std::string> split;
  for (size_t at = 0;;) {
    const size_t slash = path.find('/', at);
    std::string part = path.substr(at, slash == std::string::npos ? std::string::npos : slash - at);
    std::string token;
    for (size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '~' && i + 1 < part.size() && (part[i + 1] == '0' || part[i + 1] == '1')) {
        token.push_back(part[i + 1] == '0' ? '~' : '/');
        ++i;
      } else {
        token.push_back(part[i]);
      }
    }
    split.push_back(std::move(token));
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  Place p;
  if (split.size() < 2) return p;
  const Json* cur = &doc;
  for (size_t i = 1; i + 1 < split.size(); ++i) {
    const std::string& part = split[i];
    const Json* next = nullptr;
    if (cur->is_object()) {
      const auto it = cur->find(part);
      if (it != cur->end()) next = &*it;
      p.pointer.push_back('/');
      p.pointer += Escape(part);
    } else if (cur->is_array()) {
      int64_t idx = 0;
      std::string error;
      if (!Atoi(part, &idx, &error)) return Place{};
      const auto n = static_cast<int64_t>(cur->size());
      if (idx < 0) idx = idx < -n ? n : idx + n;  // SupportNegativeIndices
      if (idx < n) next = &(*cur)[static_cast<size_t>(idx)];
      p.pointer += fmt::format("/{}", idx);
    }
    if (next == nullptr || next->is_null()) return Place{};
    cur = next;
  }
  if (!cur->is_object() && !cur->is_array()) return Place{};
  p.container = cur;
  p.key = split.back();
  return p;
}

// An index into `array` for get, set and remove (partialArray), or its error.
bool Index(const Json& array, const std::string& key, size_t* out, std::string* error) {
  int64_t idx = 0;
  if (!Atoi(key, &idx, error)) return false;
  const auto n = static_cast<int64_t>(array.size());
  if (idx >= n || idx < -n) {
    *error = InvalidIndex(idx);
    return false;
  }
  *out = static_cast<size_t>(idx < 0 ? idx + n : idx);
  return true;
}

// Where partialArray.add inserts (`-` appends), or its error.
bool InsertIndex(const Json& array, const std::string& key, size_t* out, std::string* error) {
  if (key == "-") {
    *out = array.size();
    return true;
  }
  int64_t idx = 0;
  std::string atoi;
  if (!Atoi(key, &idx, &atoi)) {
    *error = fmt::format("value was not a proper array index: '{}': {}", key, atoi);
    return false;
  }
  const auto n = static_cast<int64_t>(array.size()) + 1;
  if (idx >= n || idx < -n) {
    *error = InvalidIndex(idx);
    return false;
  }
  *out = static_cast<size_t>(idx < 0 ? idx + n : idx);
  return true;
}

// The operation's member as a string (Operation.Path / From): nullopt if
// absent or null.
std::optional<std::string> Member(const Json& op, const char* name) {
  const auto it = op.find(name);
  if (it == op.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();  // strict decoding checked it is a string
}

// nlohmann's message without its "[json.exception.KIND.N] " prefix.
std::string What(const std::exception& e) {
  std::string w = e.what();
  if (w.starts_with("[json.exception.")) {
    const size_t end = w.find("] ");
    if (end != std::string::npos) w = w.substr(end + 2);
  }
  return w;
}

// One operation applied to `doc` with evanphx/json-patch's semantics (its
// Patch.Apply loop): checked and worded as it words them, then carried
// out by nlohmann::json::patch as add, remove or replace operations on
// plain pointers. Returns the error, or "" with `doc` patched.
// jsonpatch.AccumulatedCopySizeLimit as the API server sets it
// (JSONPatchMaxCopyBytes, 3 MiB): what copy operations may add to the
// object, in bytes of JSON, over one patch.
constexpr int64_t kCopySizeLimit = 3 * 1024 * 1024;

std::string ApplyOne(Json* doc, const Json& op, int64_t* copied) {
  const std::string kind = op.is_object() && op.contains("op") && op["op"].is_string()
                               ? op["op"].get<std::string>()
                               : "unknown";
  const std::optional<std::string> path = op.is_object() ? Member(op, "path") : std::nullopt;
  const auto has_value = op.is_object() && op.contains("value");
  const Json value = has_value ? op["value"] : Json();
  const auto run = [&](Json ops) -> std::string {
    try {
      doc->patch_inplace(ops);
    } catch (const std::exception& e) {
      return What(e);
    }
    return "";
  };
  const auto at = [](const Place& p) { return p.pointer + "/" + Escape(p.key); };

  if (kind == "add" || kind == "remove" || kind == "replace" || kind == "test") {
    if (!path) {
      if (kind == "add" || kind == "remove") {
        return fmt::format("{} operation failed to decode path: missing value", kind);
      }
      return fmt::format(
          "{} operation failed to decode path: operation missing path field: "
          "missing value",
          kind);
    }
    if (path->empty() && (kind == "replace" || kind == "test")) {
      if (kind == "test") {
        return *doc == value ? "" : fmt::format("testing value {} failed: test failed", *path);
      }
      if (!value.is_object() && !value.is_array()) {
        return "replace operation value must be object or array";
      }
      *doc = value;
      return "";
    }
    const Place p = Find(*doc, *path);
    if (p.container == nullptr) {
      if (kind == "add" || kind == "remove") {
        return fmt::format(
            "{} operation does not apply: doc is missing path: \"{}\": missing value", kind, *path);
      }
      if (kind == "replace") {
        return fmt::format(
            "replace operation does not apply: doc is missing path: {}: missing value", *path);
      }
      return fmt::format("test operation does not apply: is missing path: {}: missing value",
                         *path);
    }
    const bool object = p.container->is_object();
    std::string error;
    size_t idx = 0;
    if (kind == "add") {
      if (object) return run(Json::array({{{"op", "add"}, {"path", at(p)}, {"value", value}}}));
      if (!InsertIndex(*p.container, p.key, &idx, &error)) {
        return fmt::format("error in add for path: '{}': {}", *path, error);
      }
      return run(Json::array(
          {{{"op", "add"}, {"path", fmt::format("{}/{}", p.pointer, idx)}, {"value", value}}}));
    }
    if (kind == "remove") {
      if (object) {
        if (!p.container->contains(p.key)) {
          return fmt::format(
              "error in remove for path: '{}': Unable to remove nonexistent key: {}: "
              "missing value",
              *path, p.key);
        }
        return run(Json::array({{{"op", "remove"}, {"path", at(p)}}}));
      }
      if (!Index(*p.container, p.key, &idx, &error)) {
        return fmt::format("error in remove for path: '{}': {}", *path, error);
      }
      return run(Json::array({{{"op", "remove"}, {"path", fmt::format("{}/{}", p.pointer, idx)}}}));
    }
    if (kind == "replace") {
      if (object) {
        // partialDoc.get finds no error for a missing key, so the server's
        // replace of one adds it (gopkg.in/evanphx/json-patch.v4 Patch.replace).
        return run(Json::array({{{"op", p.container->contains(p.key) ? "replace" : "add"},
                                 {"path", at(p)},
                                 {"value", value}}}));
      }
      if (!Index(*p.container, p.key, &idx, &error)) {
        return fmt::format(
            "replace operation does not apply: doc is missing key: {}: missing value", *path);
      }
      return run(Json::array(
          {{{"op", "replace"}, {"path", fmt::format("{}/{}", p.pointer, idx)}, {"value", value}}}));
    }
    // test: a missing key passes only against a null or absent value.
    const Json* current = nullptr;
    if (object) {
      const auto it = p.container->find(p.key);
      if (it != p.container->end()) current = &*it;
    } else if (Index(*p.container, p.key, &idx, &error)) {
      current = &(*p.container)[idx];
    } else {
      return fmt::format("error in test for path: '{}': {}", *path, error);
    }
    if (current == nullptr || current->is_null()) {
      if (value.is_null()) return "";
      return fmt::format("testing value {} failed: test failed", *path);
    }
    if (!has_value) return fmt::format("testing value {} failed: test failed", *path);
    const std::string pointer = object ? at(p) : fmt::format("{}/{}", p.pointer, idx);
    if (!run(Json::array({{{"op", "test"}, {"path", pointer}, {"value", value}}})).empty()) {
      return fmt::format("testing value {} failed: test failed", *path);
    }
    return "";
  }

  if (kind == "move" || kind == "copy") {
    const std::optional<std::string> from = Member(op, "from");
    if (!from) {
      return fmt::format(
          "{} operation failed to decode from: operation, missing from field: "
          "missing value",
          kind);
    }
    const Place f = Find(*doc, *from);
    if (f.container == nullptr) {
      return fmt::format("{} operation does not apply: doc is missing from path: {}: missing value",
                         kind, *from);
    }
    Json moved;  // a missing key of a mapping: null (lazyNode nil)
    std::string error;
    size_t idx = 0;
    std::string from_pointer = at(f);
    if (f.container->is_object()) {
      if (f.container->contains(f.key)) moved = (*f.container)[f.key];
    } else if (Index(*f.container, f.key, &idx, &error)) {
      moved = (*f.container)[idx];
      from_pointer = fmt::format("{}/{}", f.pointer, idx);
    } else {
      return kind == "move" ? fmt::format("error in move for path: '{}': {}", f.key, error)
                            : fmt::format("error in copy for from: '{}': {}", *from, error);
    }
    if (kind == "copy") {
      // Patch.copy: the copied value's size counts toward the limit.
      *copied += static_cast<int64_t>(moved.dump().size());
      if (*copied > kCopySizeLimit) {
        return fmt::format(
            "Unable to complete the copy, the accumulated size increase of copy is {}, "
            "exceeding the limit {}",
            *copied, kCopySizeLimit);
      }
    }
    if (kind == "move") {
      if (f.container->is_object() && !f.container->contains(f.key)) {
        return fmt::format(
            "error in move for path: '{}': Unable to remove nonexistent key: {}: "
            "missing value",
            f.key, f.key);
      }
      if (std::string e = run(Json::array({{{"op", "remove"}, {"path", from_pointer}}}));
          !e.empty()) {
        return e;
      }
    }
    if (!path) {
      return kind == "move" ? "move operation failed to decode path: operation missing path field: "
                              "missing value"
                            : "copy operation failed to decode path: missing value";
    }
    const Place p = Find(*doc, *path);
    if (p.container == nullptr) {
      return fmt::format(
          "{} operation does not apply: doc is missing destination path: {}: missing value", kind,
          *path);
    }
    if (p.container->is_object()) {
      return run(Json::array({{{"op", "add"}, {"path", at(p)}, {"value", moved}}}));
    }
    if (!InsertIndex(*p.container, p.key, &idx, &error)) {
      return kind == "move" ? fmt::format("error in move for path: '{}': {}", *path, error)
                            : fmt::format("error while adding value during copy: {}", error);
    }
    return run(Json::array(
        {{{"op", "add"}, {"path", fmt::format("{}/{}", p.pointer, idx)}, {"value", moved}}}));
  }
  return fmt::format("Unexpected kind: {}", kind);
}

}  // namespace

// kubectl patch --type json, as the API server's jsonPatcher.applyJSPatch
// applies it (k8s.io/apiserver/pkg/endpoints/handlers/patch.go): the patch
// is strictly decoded as a list of {op, path, from, value} (a wrong type is
// a BadRequest "error decoding patch: ..."), applied operation by operation
// (a failure is a 422 whose message is "the server rejected our request due
// to an error in our request"; we add jsonpatch's reason), and an unknown
// member of an operation fails the patch after it applied.
Expected<NodePtr> JsonPatch(const NodePtr& target, const Node& patch, yaml::Mark mark) {
  if (IsNullNode(patch)) return target;  // null decodes into an empty list
  if (!patch.IsSequence()) {
    return Error{
        fmt::format("error decoding patch: json: cannot unmarshal {} into Go value of type "
                    "[]handlers.jsonPatchOp (--type json takes a list of operations, such "
                    "as '[{{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}}]')",
                    GoKind(patch))};
  }
  std::vector<std::string> unknown;
  for (const NodePtr& op : patch.items) {
    if (IsNullNode(*op)) continue;
    if (!op->IsMap()) {
      return Error{
          fmt::format("error decoding patch: json: cannot unmarshal {} into Go value of "
                      "type handlers.jsonPatchOp",
                      GoKind(*op))};
    }
    for (const yaml::Entry& e : op->entries) {
      if (e.key == "op" || e.key == "path" || e.key == "from") {
        if (!IsNullNode(*e.value) &&
            (!e.value->IsScalar() || yaml::Resolve(*e.value) != yaml::ScalarType::kString)) {
          return Error{
              fmt::format("error decoding patch: json: cannot unmarshal {} into Go struct "
                          "field jsonPatchOp.{} of type string",
                          GoKind(*e.value), e.key)};
        }
      } else if (e.key != "value") {
        unknown.push_back(e.key);
      }
    }
  }
  // maxJSONPatchOperations.
  if (patch.items.size() > 10000) {
    return Error{
        fmt::format("Request entity too large: The allowed maximum operations in a JSON "
                    "patch is 10000, got {}",
                    patch.items.size())};
  }
  Json doc = target ? ToJson(*target) : Json::object();
  int64_t copied = 0;
  for (size_t i = 0; i < patch.items.size(); ++i) {
    const Json op = ToJson(*patch.items[i]);
    if (std::string error = ApplyOne(&doc, op, &copied); !error.empty()) {
      return Error{
          fmt::format("the server rejected our request due to an error in our request: "
                      "{} (operation {} of {})",
                      error, i + 1, patch.items.size())};
    }
  }
  if (!unknown.empty()) {
    std::string fields;
    for (const auto& f : unknown) {
      fields += fmt::format("{}json patch unknown field \"{}\"", fields.empty() ? "" : ", ", f);
    }
    return Error{fmt::format("strict decoding error: {}", fields)};
  }
  return FromJson(doc, target, mark);
}

}  // namespace kubesim::scenario::loader
