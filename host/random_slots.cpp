#include "random_slots.h"

#include <algorithm>
#include <functional>
#include <set>
#include <vector>

#include "rng.h"

namespace remc {

std::uint32_t slot_hash(const std::string& name) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : name) {
    h ^= c;
    h *= 16777619u;
  }
  return h & kSlotHashMask;
}

namespace {

// Slots base + hash(name) for one kind of draw. Two names of one config whose
// hashes collide (for 64 names, about one config in 130,000) must not share
// numbers: taking names in sorted order, a later one moves to the hash of
// "name#1", "name#2", ... So a slot depends on its name and, only in that
// rare case, on which other names the config holds.
void assign(std::uint32_t base, const std::vector<std::string>& names,
            const std::function<void(std::size_t, std::uint32_t)>& set_slot) {
  std::vector<std::size_t> order(names.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return names[a] < names[b]; });
  std::set<std::uint32_t> used;
  for (std::size_t i : order) {
    std::uint32_t h = slot_hash(names[i]);
    for (int k = 1; used.count(h) != 0; ++k) h = slot_hash(names[i] + "#" + std::to_string(k));
    used.insert(h);
    set_slot(i, base + h);
  }
}

}  // namespace

void assign_random_slots(RunConfig& config) {
  Model& m = config.model;
  assign(kSlotMaterialBase, config.material_names, [&](std::size_t i, std::uint32_t s) { m.material[i].noise_slot = s; });
  assign(kSlotProjectFateBase, config.project_names, [&](std::size_t i, std::uint32_t s) { m.project[i].fate_slot = s; });
  assign(kSlotProjectUtilBase, config.project_names,
         [&](std::size_t i, std::uint32_t s) { m.project[i].utilisation_slot = s; });
  assign(kSlotParamBase, config.uncertain_names, [&](std::size_t i, std::uint32_t s) { m.uncertain_slot[i] = s; });
}

}  // namespace remc
