// A flat binary codec for messages between ranks of one run (same build, same
// machine architecture): values are copied byte for byte, vectors and strings
// are preceded by their length, and a reader refuses to run past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "errors.h"

namespace remc {

class ByteWriter {
 public:
  template <class T>
  void put(const T& value) {
    const char* p = reinterpret_cast<const char*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    put<std::uint64_t>(v.size());
    const char* p = reinterpret_cast<const char*>(v.data());
    bytes_.insert(bytes_.end(), p, p + v.size() * sizeof(T));
  }
  void put_string(const std::string& s) { put_vector(std::vector<char>(s.begin(), s.end())); }
  std::vector<char> take() { return std::move(bytes_); }

 private:
  std::vector<char> bytes_;
};

class ByteReader {
 public:
  // `what` names the message in errors, e.g. "packed run state".
  ByteReader(const std::vector<char>& bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}
  template <class T>
  T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  template <class T>
  std::vector<T> get_vector() {
    const std::uint64_t n = get<std::uint64_t>();
    if (n > (bytes_.size() - pos_) / sizeof(T)) truncated();  // n * sizeof(T) could overflow
    std::vector<T> v(n);
    std::memcpy(v.data(), bytes_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return v;
  }
  std::string get_string() {
    const std::vector<char> v = get_vector<char>();
    return std::string(v.begin(), v.end());
  }

 private:
  void need(std::uint64_t n) const {
    if (n > bytes_.size() - pos_) truncated();
  }
  [[noreturn]] void truncated() const { throw RuntimeError(what_ + " is truncated"); }
  const std::vector<char>& bytes_;
  std::string what_;
  std::size_t pos_ = 0;
};

}  // namespace remc
