// RAII HDF5 handles with checked calls (see h5_file.h).
#include "h5_file.h"

#include <hdf5_hl.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "errors.h"

namespace remc::h5 {

namespace {

// The innermost message on HDF5's error stack, e.g. "unable to open file".
herr_t take_message(unsigned, const H5E_error2_t* error, void* out) {
  auto* message = static_cast<std::string*>(out);
  if (message->empty() && error->desc) *message = error->desc;
  return 0;
}

std::string hdf5_message() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, take_message, &message);
  H5Eclear2(H5E_DEFAULT);
  return message.empty() ? "unknown HDF5 error" : message;
}

[[noreturn]] void fail_at(const std::string& file, const std::string& path, const std::string& what) {
  throw RuntimeError("HDF5 error in " + file + (path.empty() ? "" : " at " + path) + ": " + what + ": " +
                     hdf5_message());
}

// A variable-length UTF-8 string type.
Handle string_type() {
  Handle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

// Creation order tracked, as netCDF-4 files have it.
Handle group_creation_list() {
  Handle list(H5Pcreate(H5P_GROUP_CREATE));
  H5Pset_link_creation_order(list.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  H5Pset_attr_creation_order(list.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  return list;
}

Handle dataspace(const std::vector<hsize_t>& dims) {
  if (dims.empty()) return Handle(H5Screate(H5S_SCALAR));
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
}

}  // namespace

void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

std::string filetype_of(const std::string& path) {
  silence_errors();
  try {
    const File f = File::open_read_only(path);
    return f.has_attribute("filetype") ? f.string_attribute("filetype") : std::string();
  } catch (const std::exception&) {
    return "";
  }
}

bool has_filetype(const std::string& path, const std::string& filetype) { return filetype_of(path) == filetype; }

bool is_remc_file(const std::string& path) { return filetype_of(path).rfind("remc-", 0) == 0; }

std::string why_not_replaceable(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::symlink_status(path, ec);
  if (std::filesystem::is_symlink(status)) return "it is a symbolic link (give the file it points to)";
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    return "it exists and is not a regular file";
  // A mistyped --out must not destroy a config, a script or someone's data:
  // only files remc wrote (or empty ones) are replaced.
  if (std::filesystem::exists(status) && std::filesystem::file_size(path, ec) > 0 && !is_remc_file(path))
    return "it exists and is not a file remc wrote (remc replaces only its own HDF5 files, or empty ones)";
  return "";
}

void write_atomically(const std::string& path, const std::string& what, const std::function<void(const File&)>& fill) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  const std::string failed = "cannot write " + what + " " + path + ": ";
  if (const std::string why = why_not_replaceable(path); !why.empty()) throw RuntimeError(failed + why);
  try {
    File file = File::create(temp);
    fill(file);
    file.close();
  } catch (const std::exception& e) {
    std::remove(temp.c_str());
    throw RuntimeError(failed + e.what());
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temp.c_str());
    throw RuntimeError(failed + "renaming " + temp + " failed: " + std::strerror(error));
  }
}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    close();
    id_ = other.release();
  }
  return *this;
}

hid_t Handle::release() {
  const hid_t id = id_;
  id_ = H5I_INVALID_HID;
  return id;
}

void Handle::close() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: H5Idec_ref(id_); break;
  }
  id_ = H5I_INVALID_HID;
}

// --- Object: attributes ---

void Object::fail(const std::string& what) const { fail_at(file_, path_, what); }

namespace {

// Writes a scalar attribute, replacing an existing one.
void write_attribute(const Object& object, const std::string& name, hid_t type, const void* value) {
  if (H5Aexists(object.id(), name.c_str()) > 0) H5Adelete(object.id(), name.c_str());
  Handle space(H5Screate(H5S_SCALAR));
  Handle attribute(H5Acreate2(object.id(), name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (attribute.get() < 0 || H5Awrite(attribute.get(), type, value) < 0)
    fail_at(object.file_path(), object.path(), "cannot write attribute '" + name + "'");
}

Handle open_attribute(const Object& object, const std::string& name) {
  Handle attribute(H5Aopen(object.id(), name.c_str(), H5P_DEFAULT));
  if (attribute.get() < 0) fail_at(object.file_path(), object.path(), "no attribute '" + name + "'");
  return attribute;
}

}  // namespace

void Object::set_attribute(const std::string& name, const std::string& value) const {
  const Handle type = string_type();
  const char* text = value.c_str();
  write_attribute(*this, name, type.get(), &text);
}

void Object::set_attribute(const std::string& name, std::int64_t value) const {
  write_attribute(*this, name, H5T_NATIVE_INT64, &value);
}

void Object::set_attribute(const std::string& name, double value) const {
  write_attribute(*this, name, H5T_NATIVE_DOUBLE, &value);
}

bool Object::has_attribute(const std::string& name) const { return H5Aexists(id(), name.c_str()) > 0; }

std::string Object::string_attribute(const std::string& name) const {
  const Handle attribute = open_attribute(*this, name);
  const Handle type(H5Aget_type(attribute.get()));
  if (H5Tget_class(type.get()) != H5T_STRING) fail("attribute '" + name + "' is not a string");
  if (H5Tis_variable_str(type.get()) > 0) {
    const Handle memory = string_type();
    char* text = nullptr;
    if (H5Aread(attribute.get(), memory.get(), &text) < 0) fail("cannot read attribute '" + name + "'");
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(type.get()), '\0');
  if (H5Aread(attribute.get(), type.get(), value.data()) < 0) fail("cannot read attribute '" + name + "'");
  return value.substr(0, value.find('\0'));
}

std::int64_t Object::int_attribute(const std::string& name) const {
  const Handle attribute = open_attribute(*this, name);
  std::int64_t value = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_INT64, &value) < 0) fail("cannot read attribute '" + name + "' as integer");
  return value;
}

double Object::double_attribute(const std::string& name) const {
  const Handle attribute = open_attribute(*this, name);
  double value = 0.0;
  if (H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0) fail("cannot read attribute '" + name + "' as number");
  return value;
}

// --- Dataset ---

std::vector<hsize_t> Dataset::shape() const {
  const Handle space(H5Dget_space(id()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail("cannot read the shape");
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

namespace {
std::size_t element_count(const std::vector<hsize_t>& dims) {
  std::size_t n = 1;
  for (hsize_t d : dims) n *= d;
  return n;
}
}  // namespace

void Dataset::read(hid_t memory_type, void* out) const {
  if (H5Dread(id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) fail("cannot read the data");
}

std::vector<double> Dataset::read_doubles() const {
  std::vector<double> data(element_count(shape()));
  read(H5T_NATIVE_DOUBLE, data.data());
  return data;
}

std::vector<float> Dataset::read_floats() const {
  std::vector<float> data(element_count(shape()));
  read(H5T_NATIVE_FLOAT, data.data());
  return data;
}

std::vector<std::uint64_t> Dataset::read_uint64() const {
  std::vector<std::uint64_t> data(element_count(shape()));
  read(H5T_NATIVE_UINT64, data.data());
  return data;
}

std::vector<std::int64_t> Dataset::read_int64() const {
  std::vector<std::int64_t> data(element_count(shape()));
  read(H5T_NATIVE_INT64, data.data());
  return data;
}

std::vector<std::string> Dataset::read_strings() const {
  const Handle type = string_type();
  std::vector<char*> raw(element_count(shape()), nullptr);
  read(type.get(), raw.data());
  std::vector<std::string> data(raw.begin(), raw.end());
  const Handle space(H5Dget_space(id()));
  H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, raw.data());
  return data;
}

void Dataset::make_scale(const std::string& dimension) const {
  if (H5DSset_scale(id(), dimension.c_str()) < 0) fail("cannot make dimension scale '" + dimension + "'");
}

void Dataset::attach_scale(const Dataset& scale, unsigned axis) const {
  if (H5DSattach_scale(id(), scale.id(), axis) < 0)
    fail("cannot attach dimension scale " + scale.path() + " to axis " + std::to_string(axis));
}

// --- Group ---

std::string Group::child_path(const std::string& name) const {
  return path_ == "/" ? "/" + name : path_ + "/" + name;
}

Group Group::create_group(const std::string& name) const {
  const Handle create_list = group_creation_list();
  Handle group(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, create_list.get(), H5P_DEFAULT));
  if (group.get() < 0) fail_at(file_, child_path(name), "cannot create group");
  return Group(std::move(group), file_, child_path(name));
}

Group Group::open_group(const std::string& name) const {
  Handle group(H5Gopen2(id(), name.c_str(), H5P_DEFAULT));
  if (group.get() < 0) fail_at(file_, child_path(name), "cannot open group");
  return Group(std::move(group), file_, child_path(name));
}

Dataset Group::open_dataset(const std::string& name) const {
  Handle dataset(H5Dopen2(id(), name.c_str(), H5P_DEFAULT));
  if (dataset.get() < 0) fail_at(file_, child_path(name), "cannot open dataset");
  return Dataset(std::move(dataset), file_, child_path(name));
}

bool Group::exists(const std::string& name) const {
  // Check each step, as H5Lexists requires the parents to exist.
  std::string prefix;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = name.find('/', start);
    prefix = name.substr(0, slash);
    if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

namespace {
herr_t collect_dataset(hid_t, const char* name, const H5O_info_t* info, void* out) {
  if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> Group::dataset_paths() const {
  std::vector<std::string> names;
  if (H5Ovisit(id(), H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &names) < 0) fail("cannot list datasets");
  for (std::string& name : names) name = child_path(name);
  std::sort(names.begin(), names.end());
  return names;
}

Dataset Group::write_raw(const std::string& name, hid_t memory_type, hid_t file_type, const void* data,
                         const std::vector<hsize_t>& dims, bool deflate) const {
  const Handle space = dataspace(dims);
  Handle create_list(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_attr_creation_order(create_list.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  if (deflate && !dims.empty() && element_count(dims) > 0) {
    // Chunks of at most about 1 MiB: halve the leading axes until they fit.
    std::vector<hsize_t> chunk = dims;
    for (std::size_t axis = 0; axis < chunk.size(); ++axis)
      while (element_count(chunk) * 8 > (1u << 20) && chunk[axis] > 1) chunk[axis] = (chunk[axis] + 1) / 2;
    H5Pset_chunk(create_list.get(), static_cast<int>(chunk.size()), chunk.data());
    H5Pset_shuffle(create_list.get());
    H5Pset_deflate(create_list.get(), 4);
  }
  Handle dataset(H5Dcreate2(id(), name.c_str(), file_type, space.get(), H5P_DEFAULT, create_list.get(), H5P_DEFAULT));
  if (dataset.get() < 0) fail_at(file_, child_path(name), "cannot create dataset");
  if (element_count(dims) > 0 && H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail_at(file_, child_path(name), "cannot write dataset");
  return Dataset(std::move(dataset), file_, child_path(name));
}

namespace {
void check_size(const Object& at, const std::string& name, std::size_t size, const std::vector<hsize_t>& dims) {
  if (size != element_count(dims))
    throw RuntimeError("HDF5 writer: " + at.path() + "/" + name + ": " + std::to_string(size) +
                       " values for a shape of " + std::to_string(element_count(dims)));
}
}  // namespace

Dataset Group::write(const std::string& name, const std::vector<float>& data, const std::vector<hsize_t>& dims,
                     bool deflate) const {
  check_size(*this, name, data.size(), dims);
  return write_raw(name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, data.data(), dims, deflate);
}

Dataset Group::write(const std::string& name, const std::vector<double>& data, const std::vector<hsize_t>& dims,
                     bool deflate) const {
  check_size(*this, name, data.size(), dims);
  return write_raw(name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, data.data(), dims, deflate);
}

Dataset Group::write(const std::string& name, const std::vector<std::uint64_t>& data,
                     const std::vector<hsize_t>& dims, bool deflate) const {
  check_size(*this, name, data.size(), dims);
  return write_raw(name, H5T_NATIVE_UINT64, H5T_STD_U64LE, data.data(), dims, deflate);
}

Dataset Group::write(const std::string& name, const std::vector<std::int64_t>& data,
                     const std::vector<hsize_t>& dims, bool deflate) const {
  check_size(*this, name, data.size(), dims);
  return write_raw(name, H5T_NATIVE_INT64, H5T_STD_I64LE, data.data(), dims, deflate);
}

Dataset Group::write(const std::string& name, const std::vector<std::string>& data) const {
  std::vector<const char*> text;
  for (const std::string& s : data) text.push_back(s.c_str());
  const Handle type = string_type();
  return write_raw(name, type.get(), type.get(), text.data(), {data.size()}, false);
}

// --- File ---

File File::create(const std::string& file_path) {
  silence_errors();
  Handle create_list(H5Pcreate(H5P_FILE_CREATE));
  H5Pset_link_creation_order(create_list.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  H5Pset_attr_creation_order(create_list.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  // Semi close: closing fails loudly if an object is still open, rather than
  // leaving the file open (and unflushed) until it is.
  Handle access_list(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_fclose_degree(access_list.get(), H5F_CLOSE_SEMI);
  Handle file(H5Fcreate(file_path.c_str(), H5F_ACC_TRUNC, create_list.get(), access_list.get()));
  if (file.get() < 0) fail_at(file_path, "", "cannot create file");
  return File(std::move(file), file_path, "/");
}

File File::open_read_only(const std::string& file_path) {
  silence_errors();
  // A FIFO would block the open until a writer came; a device is no result.
  std::error_code ec;
  if (std::filesystem::exists(file_path, ec) && !std::filesystem::is_regular_file(file_path, ec))
    throw RuntimeError(file_path + ": not a regular file");
  Handle file(H5Fopen(file_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (file.get() < 0) fail_at(file_path, "", "cannot open file (not an HDF5 file?)");
  return File(std::move(file), file_path, "/");
}

void File::close() {
  if (id() < 0) return;
  if (H5Fclose(handle_.release()) < 0) fail("cannot close the file (objects still open, or the write failed)");
}

}  // namespace remc::h5
