// Reading JavaScript arguments in the addon's N-API functions (plain node_api.h), and writing the typed arrays of their
// results, shared by its files.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// Returns the status of `call` from the enclosing function when it is not napi_ok.
#define PROMPTSCOPE_NAPI_RETURN_IF_FAILED(call) \
    do { const napi_status status_ = (call); if (status_ != napi_ok) return status_; } while (0)

namespace promptscope {

// Throws a TypeError with `message`; returns nullptr for the N-API function to return.
napi_value throw_type_error(napi_env env, const char * message);

// `value` as a UTF-8 string; false when it is not a string.
bool get_string(napi_env env, napi_value value, std::string & out);

// `value` as an array of numbers; false when it is not one.
bool get_number_array(napi_env env, napi_value value, std::vector<double> & out);

// `value` as an array of 32-bit integers (token ids); false when it is not one.
bool get_int32_array(napi_env env, napi_value value, std::vector<int32_t> & out);

// object[name] when it is there and neither undefined nor null.
bool get_optional_property(napi_env env, napi_value object, const char * name, napi_value * value);

// object[name] as a number into `out` when present; false when present and not a number (absent leaves `out` as is).
bool get_optional_double(napi_env env, napi_value object, const char * name, double & out);

// object[name] as an array of 32-bit integers when present; false when present and not one.
bool get_optional_int32_array(napi_env env, napi_value object, const char * name, std::vector<int32_t> & out);

// A new Int32Array holding a copy of `values`.
napi_value make_int32_array(napi_env env, const std::vector<int32_t> & values);

// result[name] = a new typed array holding a copy of `count` elements of `size` bytes at `data`.
napi_status set_typed(napi_env env, napi_value result, const char * name, napi_typedarray_type type, const void * data,
    size_t count, size_t size);

// object[name] = a number, a string, a boolean: the fields of the results the loops hand back.
void set_number(napi_env env, napi_value object, const char * name, double number);
void set_string(napi_env env, napi_value object, const char * name, const std::string & text);
void set_bool(napi_env env, napi_value object, const char * name, bool flag);

}  // namespace promptscope
