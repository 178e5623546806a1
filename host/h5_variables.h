// netCDF-style variables on top of h5_file.h: coordinates (1-D dimension
// scales named after their dimension) and variables with their coordinates
// attached, each with `units` and `description`. Used by the run result
// writer and the study writer.
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "h5_file.h"

namespace remc::h5 {

// One axis of a variable: its coordinate (dimension scale) and length.
struct Axis {
  const Dataset* scale;
  hsize_t size;
};

inline std::vector<hsize_t> dims_of(const std::vector<Axis>& axes) {
  std::vector<hsize_t> dims;
  for (const Axis& a : axes) dims.push_back(a.size);
  return dims;
}

// Writes a variable with its attributes and attaches its coordinates.
template <class T>
Dataset write_variable(const Group& group, const std::string& name, const std::vector<T>& data,
                       const std::vector<Axis>& axes, const std::string& units, const std::string& description,
                       bool deflate = false) {
  Dataset d = group.write(name, data, dims_of(axes), deflate);
  d.set_attribute("units", units);
  d.set_attribute("description", description);
  for (std::size_t i = 0; i < axes.size(); ++i) d.attach_scale(*axes[i].scale, static_cast<unsigned>(i));
  return d;
}

// A coordinate: a 1-D dimension scale named after its dimension.
template <class T>
Dataset write_coordinate(const Group& group, const std::string& name, const std::vector<T>& values,
                         const std::string& units, const std::string& description) {
  Dataset d = [&] {
    if constexpr (std::is_same_v<T, std::string>) return group.write(name, values);
    else return group.write(name, values, {values.size()});
  }();
  d.make_scale(name);
  d.set_attribute("units", units);
  d.set_attribute("description", description);
  return d;
}

}  // namespace remc::h5
