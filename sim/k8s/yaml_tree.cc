// Builds kubesim's YAML tree from yaml-cpp parser events; see yaml_tree.h.
#include "yaml_tree.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <unordered_set>

namespace kubesim::yaml {
namespace {

// Thrown by the builder to stop yaml-cpp's parser; caught in Parse().
struct Stop {
  Mark mark;
  std::string message;
};

Mark ToMark(const YAML::Mark& m) {
  if (m.is_null()) return {};
  return Mark{std::max(m.line, 0), std::max(m.column, 0)};
}

// Rejects what is not UTF-8 text before yaml-cpp sees it (yaml-cpp would drop
// control characters and read binary data as one long scalar).
std::optional<ParseError> CheckText(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_bytes) {
    return ParseError{{}, fmt::format("the file is {} bytes, more than kubesim reads ({} bytes)",
                                      text.size(), limits.max_bytes)};
  }
  if (text.size() >= 2 && ((static_cast<unsigned char>(text[0]) == 0xFF &&
                             static_cast<unsigned char>(text[1]) == 0xFE) ||
                            (static_cast<unsigned char>(text[0]) == 0xFE &&
                             static_cast<unsigned char>(text[1]) == 0xFF))) {
    return ParseError{{}, "the file is UTF-16 text; save it as UTF-8"};
  }
  int line = 0;
  int column = 0;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const Mark here{line, column};
    if (c == '\n') {
      ++line;
      column = 0;
      ++i;
      continue;
    }
    if (c < 0x80) {
      if (c == 0) {
        return ParseError{here, "the file contains a NUL byte: it is binary data, not YAML text"};
      }
      if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F) {
        return ParseError{here, fmt::format("control character 0x{:02X} is not allowed in YAML; "
                                            "is this a binary file?",
                                            c)};
      }
      ++i;
      ++column;
      continue;
    }
    // A multi-byte UTF-8 sequence: lead byte, then 1-3 continuation bytes.
    int len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len > 0 && i + len <= text.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if (ok) {
      ok = !((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
             (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF);
    }
    if (!ok) {
      return ParseError{here, fmt::format("byte 0x{:02X} is not UTF-8 text: this looks like a "
                                          "binary file, not YAML",
                                          c)};
    }
    i += len;
    ++column;
  }
  return std::nullopt;
}

class Builder : public YAML::EventHandler {
 public:
  // `input_bytes` bounds the nodes the text can really hold (see Count).
  Builder(const Limits& limits, Stream* out, std::size_t input_bytes)
      : limits_(limits), out_(out), max_events_(2 * input_bytes + 64) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    doc_start_ = ToMark(mark);
    anchors_.clear();
    stack_.clear();
  }
  void OnDocumentEnd() override {
    if (!root_) root_ = MakeNull(doc_start_);
    out_->documents.push_back(Document{std::move(root_), doc_start_});
    root_.reset();
  }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Finish(MakeNull(ToMark(mark)), anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchors_.find(anchor);
    if (it == anchors_.end() || !it->second) {
      throw Stop{ToMark(mark), "this alias refers to a node that contains it (a cycle); "
                               "Kubernetes objects cannot be recursive"};
    }
    Count(it->second->size, ToMark(mark), true);
    Add(it->second);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    // "?" is a plain untagged scalar; explicit core-schema tags other than
    // !!str also keep YAML typing.
    const bool plain = tag == "?" || (tag.starts_with("tag:yaml.org,2002:") &&
                                      tag != "tag:yaml.org,2002:str");
    Finish(MakeScalar(value, ToMark(mark), plain), anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(Kind::kSequence, ToMark(mark), anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(Kind::kMap, ToMark(mark), anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    std::shared_ptr<Node> node;
    YAML::anchor_t anchor = 0;
    bool have_key = false;
    std::string key;
    Mark key_mark;
    bool key_plain = false;
    std::unordered_set<std::string> keys;
    std::vector<NodePtr> merges;  // `<<` sources, applied at the end
  };

  void Count(std::size_t n, Mark mark, bool alias = false) {
    // Every node the text writes takes at least one character (a separator
    // or indicator) of it, so more parser events than about twice the input
    // size means yaml-cpp 0.7 is looping on malformed input (it does, on
    // some unterminated flow mappings): stop there instead of spinning.
    if (!alias && ++events_ > max_events_) {
      throw Stop{mark, "YAML syntax error: malformed flow collection or mapping here (the "
                       "parser stopped making progress)"};
    }
    total_ += n;
    if (total_ > limits_.max_nodes) {
      throw Stop{mark, fmt::format("the file expands to more than {} YAML nodes (an alias bomb?); "
                                   "kubesim refuses to expand it",
                                   limits_.max_nodes)};
    }
  }

  void Open(Kind kind, Mark mark, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      throw Stop{mark, fmt::format("the document nests more than {} levels deep; Kubernetes "
                                   "objects and scenarios never need that",
                                   limits_.max_depth)};
    }
    Count(1, mark);
    auto node = std::make_shared<Node>();
    node->kind = kind;
    node->mark = mark;
    if (anchor != 0) anchors_[anchor] = nullptr;  // open: an alias to it now is a cycle
    stack_.push_back(Frame{std::move(node), anchor, false, {}, {}, false, {}, {}});
  }

  void Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Node& node = *frame.node;
    if (node.kind == Kind::kMap && frame.have_key) {
      // A key without a value cannot happen with yaml-cpp; be safe anyway.
      node.entries.push_back(Entry{frame.key, frame.key_mark, MakeNull(frame.key_mark)});
    }
    // `<<` merge keys: entries of the merged mappings that the mapping does
    // not set itself, earlier sources first (go-yaml's behaviour).
    for (const NodePtr& src : frame.merges) {
      std::vector<const Node*> maps;
      if (src->IsMap()) maps.push_back(src.get());
      for (const NodePtr& item : src->items) maps.push_back(item.get());
      for (const Node* m : maps) {
        for (const Entry& e : m->entries) {
          if (frame.keys.insert(e.key).second) {
            Count(e.value->size, node.mark, true);
            node.entries.push_back(e);
          }
        }
      }
    }
    node.size = 1;
    for (const auto& item : node.items) node.size += item->size;
    for (const auto& e : node.entries) node.size += e.value->size + 1;
    NodePtr done = std::move(frame.node);
    if (frame.anchor != 0) anchors_[frame.anchor] = done;
    Add(std::move(done));
  }

  void Finish(NodePtr node, YAML::anchor_t anchor) {
    Count(1, node->mark);
    if (anchor != 0) anchors_[anchor] = node;
    Add(std::move(node));
  }

  void Add(NodePtr node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& top = stack_.back();
    Node& parent = *top.node;
    if (parent.kind == Kind::kSequence) {
      parent.items.push_back(std::move(node));
      return;
    }
    if (!top.have_key) {
      if (!node->IsScalar()) {
        throw Stop{node->mark, fmt::format("a mapping key must be a string, not {}",
                                           Describe(*node))};
      }
      top.have_key = true;
      top.key = node->scalar;
      top.key_mark = node->mark;
      top.key_plain = node->plain;
      return;
    }
    top.have_key = false;
    if (top.key == "<<" && top.key_plain) {
      const bool ok = node->IsMap() ||
                      (node->IsSequence() &&
                       std::all_of(node->items.begin(), node->items.end(),
                                   [](const NodePtr& n) { return n->IsMap(); }));
      if (!ok) throw Stop{node->mark, "a `<<` merge key needs a mapping or a list of mappings"};
      top.merges.push_back(std::move(node));
      return;
    }
    if (!top.keys.insert(top.key).second) {
      int first_line = 0;
      for (const Entry& e : parent.entries) {
        if (e.key == top.key) first_line = e.key_mark.line + 1;
      }
      out_->errors.push_back(ParseError{
          top.key_mark, fmt::format("mapping key \"{}\" already defined at line {}", top.key,
                                    first_line)});
      return;
    }
    parent.entries.push_back(Entry{std::move(top.key), top.key_mark, std::move(node)});
  }

  const Limits& limits_;
  Stream* out_;
  Mark doc_start_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, NodePtr> anchors_;
  NodePtr root_;
  std::size_t total_ = 0;
  std::size_t events_ = 0;
  std::size_t max_events_;
};

}  // namespace

const Entry* Node::Find(std::string_view key) const {
  for (const Entry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const Node* Node::Get(std::string_view key) const {
  const Entry* e = Find(key);
  return e == nullptr ? nullptr : e->value.get();
}

Stream Parse(std::string_view text, const Limits& limits) {
  Stream out;
  if (auto err = CheckText(text, limits)) {
    out.errors.push_back(std::move(*err));
    return out;
  }
  std::istringstream in{std::string(text)};
  Builder builder(limits, &out, text.size());
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
    return out;
  } catch (const Stop& stop) {
    out.errors.push_back(ParseError{stop.mark, stop.message});
  } catch (const YAML::DeepRecursion& e) {
    out.errors.push_back(ParseError{ToMark(e.mark), "the document nests too deeply for the YAML "
                                                    "parser"});
  } catch (const YAML::Exception& e) {
    std::string hint;
    // A plain value in [ ] or { } ends at the first , [ ] { }: paths such as
    // nodes[0].count break a flow collection (docs/scenario-format.md, YAML gotchas).
    if (e.msg.find("flow not found") != std::string::npos) {
      hint = " (inside [ ] or { } a value holding [ ] { } or , must be quoted: write "
             "\"nodes[0].count\", or use a block list or mapping)";
    } else {
      // A tab in the indentation of the line at fault, or of the line before
      // it: YAML indents with spaces only, and yaml-cpp's message says
      // nothing of tabs.
      const Mark at = ToMark(e.mark);
      size_t line_start = 0;
      for (int l = 0; l < at.line && line_start != std::string_view::npos; ++l) {
        line_start = text.find('\n', line_start);
        if (line_start != std::string_view::npos) ++line_start;
      }
      const auto indented_with_tab = [&](size_t from) {
        for (size_t i = from; i < text.size() && (text[i] == ' ' || text[i] == '\t'); ++i) {
          if (text[i] == '\t') return true;
        }
        return false;
      };
      size_t prev_start = std::string_view::npos;  // the line before it
      if (line_start != std::string_view::npos && line_start >= 2) {
        const size_t p = text.rfind('\n', line_start - 2);
        prev_start = p == std::string_view::npos ? 0 : p + 1;
      } else if (line_start == 1) {
        prev_start = 0;
      }
      if ((line_start != std::string_view::npos && indented_with_tab(line_start)) ||
          (prev_start != std::string_view::npos && indented_with_tab(prev_start))) {
        hint = " (a tab indents this line or the one before: YAML indents with spaces only)";
      }
    }
    out.errors.push_back(
        ParseError{ToMark(e.mark), fmt::format("YAML syntax error: {}{}", e.msg, hint)});
  }
  out.documents.clear();
  return out;
}

bool IsDecimalDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<bool> ResolveBool(std::string_view t) {
  // go-yaml v2 resolve table (YAML 1.1 booleans).
  for (auto s : {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}) {
    if (t == s) return true;
  }
  for (auto s : {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}) {
    if (t == s) return false;
  }
  return std::nullopt;
}

ScalarType Resolve(const Node& n) {
  if (n.IsNull()) return ScalarType::kNull;
  if (!n.IsScalar() || !n.plain) return ScalarType::kString;
  std::string_view t = n.scalar;
  if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL") return ScalarType::kNull;
  if (ResolveBool(t)) return ScalarType::kBool;
  std::string s;
  for (char c : t) {
    if (c != '_') s.push_back(c);
  }
  std::string_view v = s;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) v.remove_prefix(1);
  if (IsDecimalDigits(v)) return ScalarType::kInt;
  const auto all_of_set = [](std::string_view x, std::string_view set) {
    return !x.empty() && x.find_first_not_of(set) == std::string_view::npos;
  };
  if ((v.starts_with("0x") && all_of_set(v.substr(2), "0123456789abcdefABCDEF")) ||
      (v.starts_with("0o") && all_of_set(v.substr(2), "01234567")) ||
      (v.starts_with("0b") && all_of_set(v.substr(2), "01"))) {
    return ScalarType::kInt;
  }
  for (auto s2 : {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"}) {
    if (v == s2) return ScalarType::kFloat;
  }
  // yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
  size_t i = 0;
  const auto digits = [&] {
    size_t b = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    return i - b;
  };
  if (i < v.size() && v[i] == '.') {
    ++i;
    if (digits() == 0) return ScalarType::kString;
  } else {
    if (digits() == 0) return ScalarType::kString;
    if (i < v.size() && v[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    if (digits() == 0) return ScalarType::kString;
  }
  return i == v.size() ? ScalarType::kFloat : ScalarType::kString;
}

std::string Describe(const Node& n) {
  switch (n.kind) {
    case Kind::kNull: return "null";
    case Kind::kSequence: return "a list";
    case Kind::kMap: return "a mapping";
    case Kind::kScalar: break;
  }
  std::string shown = n.scalar.size() > 40 ? n.scalar.substr(0, 40) + "..." : n.scalar;
  switch (Resolve(n)) {
    case ScalarType::kBool: return fmt::format("the boolean {}", shown);
    case ScalarType::kInt:
    case ScalarType::kFloat: return fmt::format("the number {}", shown);
    case ScalarType::kNull: return "null";
    case ScalarType::kString: break;
  }
  return fmt::format("the string \"{}\"", shown);
}

NodePtr MakeScalar(std::string text, Mark mark, bool plain) {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kScalar;
  n->scalar = std::move(text);
  n->mark = mark;
  n->plain = plain;
  return n;
}

NodePtr MakeMap(std::vector<Entry> entries, Mark mark) {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kMap;
  n->mark = mark;
  for (const auto& e : entries) n->size += e.value->size + 1;
  n->entries = std::move(entries);
  return n;
}

NodePtr MakeSequence(std::vector<NodePtr> items, Mark mark) {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kSequence;
  n->mark = mark;
  for (const auto& i : items) n->size += i->size;
  n->items = std::move(items);
  return n;
}

NodePtr MakeNull(Mark mark) {
  auto n = std::make_shared<Node>();
  n->mark = mark;
  return n;
}

}  // namespace kubesim::yaml
