// Reading JavaScript arguments in the addon's N-API functions (plain node_api.h), shared by its files.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <vector>

namespace promptscope {

// Throws a TypeError with `message`; returns nullptr for the N-API function to return.
napi_value throw_type_error(napi_env env, const char * message);

// `value` as an array of numbers; false when it is not one.
bool get_number_array(napi_env env, napi_value value, std::vector<double> & out);

// `value` as an array of 32-bit integers (token ids); false when it is not one.
bool get_int32_array(napi_env env, napi_value value, std::vector<int32_t> & out);

}  // namespace promptscope
