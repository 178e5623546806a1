// Compile-time maxima that size the fixed arrays in the simulation structs.
// The config validator rejects configs that exceed them, so kernels never
// need bounds checks.
#pragma once

namespace remc {

constexpr int kMaxMaterials = 16;
constexpr int kMaxRegimes = 8;
constexpr int kMaxProjects = 64;
constexpr int kMaxSectors = 8;
constexpr int kMaxUncertain = 64;   // parameters written as distributions
constexpr int kMaxThresholds = 8;   // exceedance thresholds per metric
constexpr int kMaxMonths = 1200;
constexpr int kNumRegions = 2;      // 0 = importer, 1 = allies

// Paths are aggregated in chunks of this many paths: per-chunk moments are the
// leaves of a fixed merge tree, so statistics do not depend on block size,
// thread count or (later) shard count. Blocks are whole numbers of chunks.
constexpr int kChunkPaths = 1024;

}  // namespace remc
