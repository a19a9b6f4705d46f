#include "napiArgs.h"

namespace promptscope {

napi_value throw_type_error(napi_env env, const char * message) {
    napi_throw_type_error(env, nullptr, message);
    return nullptr;
}

namespace {

template <typename T, typename Read>
bool get_array(napi_env env, napi_value value, std::vector<T> & out, Read read) {
    bool is_array = false;
    if (napi_is_array(env, value, &is_array) != napi_ok || !is_array) return false;
    uint32_t length = 0;
    napi_get_array_length(env, value, &length);
    out.resize(length);
    for (uint32_t i = 0; i < length; ++i) {
        napi_value element;
        if (napi_get_element(env, value, i, &element) != napi_ok || read(env, element, &out[i]) != napi_ok) return false;
    }
    return true;
}

}  // namespace

bool get_number_array(napi_env env, napi_value value, std::vector<double> & out) {
    return get_array(env, value, out, napi_get_value_double);
}

bool get_int32_array(napi_env env, napi_value value, std::vector<int32_t> & out) {
    return get_array(env, value, out, napi_get_value_int32);
}

}  // namespace promptscope
