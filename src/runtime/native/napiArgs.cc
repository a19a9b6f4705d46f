#include "napiArgs.h"

#include <cstring>

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

bool get_string(napi_env env, napi_value value, std::string & out) {
    size_t len = 0;
    if (napi_get_value_string_utf8(env, value, nullptr, 0, &len) != napi_ok) return false;
    out.resize(len + 1);
    if (napi_get_value_string_utf8(env, value, &out[0], len + 1, &len) != napi_ok) return false;
    out.resize(len);
    return true;
}

bool get_number_array(napi_env env, napi_value value, std::vector<double> & out) {
    return get_array(env, value, out, napi_get_value_double);
}

bool get_int32_array(napi_env env, napi_value value, std::vector<int32_t> & out) {
    return get_array(env, value, out, napi_get_value_int32);
}

bool get_optional_property(napi_env env, napi_value object, const char * name, napi_value * value) {
    bool has = false;
    if (napi_has_named_property(env, object, name, &has) != napi_ok || !has) return false;
    napi_valuetype type;
    return napi_get_named_property(env, object, name, value) == napi_ok && napi_typeof(env, *value, &type) == napi_ok
        && type != napi_undefined && type != napi_null;
}

bool get_optional_double(napi_env env, napi_value object, const char * name, double & out) {
    napi_value value;
    return !get_optional_property(env, object, name, &value) || napi_get_value_double(env, value, &out) == napi_ok;
}

bool get_optional_int32_array(napi_env env, napi_value object, const char * name, std::vector<int32_t> & out) {
    napi_value value;
    return !get_optional_property(env, object, name, &value) || get_int32_array(env, value, out);
}

napi_value make_int32_array(napi_env env, const std::vector<int32_t> & values) {
    napi_value buffer, array;
    void * data = nullptr;
    napi_create_arraybuffer(env, values.size() * sizeof(int32_t), &data, &buffer);
    if (!values.empty()) std::memcpy(data, values.data(), values.size() * sizeof(int32_t));
    napi_create_typedarray(env, napi_int32_array, values.size(), buffer, 0, &array);
    return array;
}

napi_status set_typed(napi_env env, napi_value result, const char * name, napi_typedarray_type type, const void * data,
        size_t count, size_t size) {
    void * bytes = nullptr;
    napi_value buffer, array;
    napi_status status = napi_create_arraybuffer(env, count * size, &bytes, &buffer);
    if (status != napi_ok) return status;
    if (count > 0) std::memcpy(bytes, data, count * size);
    status = napi_create_typedarray(env, type, count, buffer, 0, &array);
    if (status != napi_ok) return status;
    return napi_set_named_property(env, result, name, array);
}

void set_number(napi_env env, napi_value object, const char * name, double number) {
    napi_value value;
    napi_create_double(env, number, &value);
    napi_set_named_property(env, object, name, value);
}

void set_string(napi_env env, napi_value object, const char * name, const std::string & text) {
    napi_value value;
    napi_create_string_utf8(env, text.c_str(), NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, object, name, value);
}

void set_bool(napi_env env, napi_value object, const char * name, bool flag) {
    napi_value value;
    napi_get_boolean(env, flag, &value);
    napi_set_named_property(env, object, name, value);
}

}  // namespace promptscope
