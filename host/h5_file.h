// A small RAII layer over the HDF5 C API: handles close themselves, every
// call is checked, and failures throw RuntimeError naming the file and the
// object. HDF5's own error printing is switched off; its message is put into
// the exception instead. Only what remc's result files need: groups,
// attributes (string, int64, double), N-d datasets of double, uint64, int64
// and strings, deflate, and netCDF-4 style dimension scales (H5DS).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace remc::h5 {

// Owns one HDF5 identifier of any kind and closes it with the matching call.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(Handle&& other) noexcept : id_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { close(); }

  hid_t get() const { return id_; }
  hid_t release();
  void close();  // never throws; see File::close for a checked close

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// A file, group or dataset: something with a path and attributes.
class Object {
 public:
  const std::string& file_path() const { return file_; }
  const std::string& path() const { return path_; }  // inside the file, e.g. "/series/price"
  hid_t id() const { return handle_.get(); }

  void set_attribute(const std::string& name, const std::string& value) const;
  void set_attribute(const std::string& name, const char* value) const { set_attribute(name, std::string(value)); }
  void set_attribute(const std::string& name, std::int64_t value) const;
  void set_attribute(const std::string& name, double value) const;

  bool has_attribute(const std::string& name) const;
  std::string string_attribute(const std::string& name) const;
  std::int64_t int_attribute(const std::string& name) const;
  double double_attribute(const std::string& name) const;

 protected:
  Object(Handle handle, std::string file, std::string path)
      : handle_(std::move(handle)), file_(std::move(file)), path_(std::move(path)) {}
  // Throws RuntimeError "HDF5 error in FILE at PATH: what: HDF5's message".
  [[noreturn]] void fail(const std::string& what) const;

  Handle handle_;
  std::string file_;
  std::string path_;
};

class Dataset : public Object {
 public:
  std::vector<hsize_t> shape() const;  // empty for a scalar
  std::vector<double> read_doubles() const;
  std::vector<float> read_floats() const;
  std::vector<std::uint64_t> read_uint64() const;
  std::vector<std::int64_t> read_int64() const;
  std::vector<std::string> read_strings() const;

  // Makes this dataset the dimension scale (coordinate) called `dimension`.
  void make_scale(const std::string& dimension) const;
  // Attaches `scale` to axis `axis` of this dataset.
  void attach_scale(const Dataset& scale, unsigned axis) const;

 private:
  friend class Group;
  using Object::Object;
  void read(hid_t memory_type, void* out) const;
};

class Group : public Object {
 public:
  Group create_group(const std::string& name) const;
  Group open_group(const std::string& name) const;
  Dataset open_dataset(const std::string& name) const;
  bool exists(const std::string& name) const;  // a link `name` (a relative path) exists
  // Paths (from the file root) of every dataset below this group, sorted.
  std::vector<std::string> dataset_paths() const;

  // N-d datasets; `dims` empty writes a scalar. `deflate` compresses (chunked).
  Dataset write(const std::string& name, const std::vector<double>& data, const std::vector<hsize_t>& dims,
                bool deflate = false) const;
  Dataset write(const std::string& name, const std::vector<float>& data, const std::vector<hsize_t>& dims,
                bool deflate = false) const;
  Dataset write(const std::string& name, const std::vector<std::uint64_t>& data, const std::vector<hsize_t>& dims,
                bool deflate = false) const;
  Dataset write(const std::string& name, const std::vector<std::int64_t>& data, const std::vector<hsize_t>& dims,
                bool deflate = false) const;
  Dataset write(const std::string& name, const std::vector<std::string>& data) const;  // 1-D, UTF-8

 protected:
  using Object::Object;

 private:
  Dataset write_raw(const std::string& name, hid_t memory_type, hid_t file_type, const void* data,
                    const std::vector<hsize_t>& dims, bool deflate) const;
  std::string child_path(const std::string& name) const;
};

class File : public Group {
 public:
  static File create(const std::string& file_path);  // truncates an existing file
  static File open_read_only(const std::string& file_path);
  // Closes the file, checking that HDF5 wrote everything. Every Group and
  // Dataset opened from it must be gone first.
  void close();

 private:
  using Group::Group;
};

// Turns off HDF5's automatic error printing (idempotent).
void silence_errors();

// The root attribute `filetype` of the HDF5 file at `path`: "" when it has
// none or is not a readable HDF5 file.
std::string filetype_of(const std::string& path);

// Whether `path` is an HDF5 file whose root attribute `filetype` is
// `filetype` (false for anything else, including unreadable files).
bool has_filetype(const std::string& path, const std::string& filetype);

// Whether `path` is an HDF5 file remc wrote: its `filetype` starts with "remc-".
bool is_remc_file(const std::string& path);

// Writes an HDF5 file atomically: `fill` writes into "<path>.tmp.<pid>" in
// the same folder, which is then renamed onto `path`, so a failed or
// interrupted write never leaves a partial file under that name. On failure
// the temporary file is removed and RuntimeError("cannot write <what> <path>:
// <reason>") is thrown.
void write_atomically(const std::string& path, const std::string& what, const std::function<void(const File&)>& fill);

// Why write_atomically would refuse `path` ("" if it would not): the rename
// replaces whatever is there, so a link, device or pipe would be swapped for a
// regular file instead of written to, and a file remc did not write (a config
// named by a slip of --out, someone's data) would be lost. Callers may check
// early with it.
std::string why_not_replaceable(const std::string& path);

}  // namespace remc::h5
