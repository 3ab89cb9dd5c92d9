// A YAML document tree built by kubesim itself from yaml-cpp's parser
// events, with the limits that make any input safe to load.
//
// Why not YAML::Node: yaml-cpp 0.7 expands nothing but shares aliased nodes
// (so a naive walk of an alias bomb is exponential), lets an anchor contain
// its own alias (a cycle), recurses 2000 levels deep before it throws
// DeepRecursion, silently drops control characters, and its accessors throw.
// This tree is immutable and shared (aliases are shared pointers, so memory
// stays linear) and carries, per node, its size with aliases expanded; the
// builder stops with a clear error when a document nests deeper than
// `max_depth`, when the expanded size of the stream passes `max_nodes`, when
// an alias would make a cycle, or when a mapping repeats a key (as
// Kubernetes' YAML decoder does). It applies `<<` merge keys, which
// Kubernetes' YAML (go-yaml) supports and yaml-cpp does not.
//
// Marks are yaml-cpp's: 0-based line and column.
#ifndef KUBESIM_SIM_K8S_YAML_TREE_H_
#define KUBESIM_SIM_K8S_YAML_TREE_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubesim::yaml {

struct Mark {
  int line = 0;    // 0-based
  int column = 0;  // 0-based
};

enum class Kind { kNull, kScalar, kSequence, kMap };

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Entry {
  std::string key;
  Mark key_mark;
  NodePtr value;
};

struct Node {
  Kind kind = Kind::kNull;
  Mark mark;
  std::string scalar;        // kScalar: the text
  bool plain = false;        // kScalar: plain and untagged, so YAML types apply (1 is a number)
  std::vector<NodePtr> items;      // kSequence
  std::vector<Entry> entries;      // kMap, in file order
  std::size_t size = 1;            // nodes in this subtree, aliases expanded

  bool IsNull() const { return kind == Kind::kNull; }
  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsMap() const { return kind == Kind::kMap; }
  // The value of `key` in a mapping, or null.
  const Node* Get(std::string_view key) const;
  const Entry* Find(std::string_view key) const;
};

// One document of a stream. `root` is never null; an empty document has a
// kNull root.
struct Document {
  NodePtr root;
  Mark start;
};

struct Limits {
  int max_depth = 64;                  // nested collections per document
  std::size_t max_nodes = 1'000'000;   // nodes of the stream, aliases expanded
  std::size_t max_bytes = 16u << 20;   // input size
};

struct ParseError {
  Mark mark;
  std::string message;
};

struct Stream {
  std::vector<Document> documents;
  // Empty on success. A malformed stream yields one error (yaml-cpp stops at
  // the first), plus earlier non-fatal ones (duplicate keys).
  std::vector<ParseError> errors;
};

// Parses `text` as a YAML stream. Never throws (except std::bad_alloc).
Stream Parse(std::string_view text, const Limits& limits = {});

// YAML 1.1 type resolution of a plain scalar, as Kubernetes' YAML decoder
// (go-yaml v2) applies it before converting to JSON.
enum class ScalarType { kString, kBool, kInt, kFloat, kNull };
ScalarType Resolve(const Node& scalar);
// The value of a plain scalar resolved as a YAML 1.1 bool, if it is one.
std::optional<bool> ResolveBool(std::string_view text);
// One or more of 0-9 and nothing else.
bool IsDecimalDigits(std::string_view s);

// "a number", "a boolean", "a string", "a list", "a mapping", "null": what a
// node is, for messages.
std::string Describe(const Node& node);

// Builders for trees kubesim makes itself (patches).
NodePtr MakeScalar(std::string text, Mark mark, bool plain);
NodePtr MakeMap(std::vector<Entry> entries, Mark mark);
NodePtr MakeSequence(std::vector<NodePtr> items, Mark mark);
NodePtr MakeNull(Mark mark);

}  // namespace kubesim::yaml

#endif  // KUBESIM_SIM_K8S_YAML_TREE_H_
