// Names each random draw of a model after what it belongs to (MODEL.md
// section 8): a material's monthly noise, a project's fate and utilisation
// noise, and each uncertain parameter get a slot derived from their names
// (kernels/rng.h). Two configs that share a name therefore share that draw's
// numbers, whatever else they add, remove or reorder.
#pragma once

#include <cstdint>
#include <string>

#include "run_config.h"

namespace remc {

// 28-bit FNV-1a hash of a name: the slot offset of a draw within its kind.
std::uint32_t slot_hash(const std::string& name);

// Sets Model::material[m].noise_slot, project[p].fate_slot and
// utilisation_slot, and uncertain_slot[i] from the config's names.
void assign_random_slots(RunConfig& config);

}  // namespace remc
