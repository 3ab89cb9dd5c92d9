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

}  // namespace kubesim::scenario::loader
