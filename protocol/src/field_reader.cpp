// Strict, typed access to the members of a decoded control frame, and the
// small shared rules (identifier format, compact output) both message
// directions use. See json_reader.hpp for the contracts.
#include "json_reader.hpp"

namespace peerline::protocol::detail {
namespace {

bool is_id_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

} // namespace

field_reader::field_reader(const json& object, std::optional<error>& err, scope s, std::string path)
    : object_(object), err_(err), scope_(s), path_(std::move(path)) {}

void field_reader::allow_only(std::initializer_list<std::string_view> allowed) {
    if (err_) {
        return;
    }
    for (const auto& [name, value] : object_.items()) {
        if (scope_ == scope::message && (name == "v" || name == "type")) {
            continue;
        }
        bool known = false;
        for (std::string_view a : allowed) {
            known = known || name == a;
        }
        if (!known) {
            // Do not name the member: it is client-supplied text.
            err_ = make_error(error_code::unknown_field);
            return;
        }
    }
}

std::string field_reader::string(std::string_view name) {
    const json* v = find(name, true);
    return v ? as_string(*v, name).value_or(std::string{}) : std::string{};
}

std::optional<std::string> field_reader::optional_string(std::string_view name) {
    const json* v = find(name, false);
    return v ? as_string(*v, name) : std::nullopt;
}

bool field_reader::boolean(std::string_view name) {
    const json* v = find(name, true);
    return v ? as_boolean(*v, name).value_or(false) : false;
}

std::optional<bool> field_reader::optional_boolean(std::string_view name) {
    const json* v = find(name, false);
    return v ? as_boolean(*v, name) : std::nullopt;
}

std::uint64_t field_reader::integer(std::string_view name, std::uint64_t min, std::uint64_t max) {
    const json* v = find(name, true);
    return v ? as_integer(*v, name, min, max).value_or(0) : 0;
}

std::optional<std::uint64_t> field_reader::optional_integer(std::string_view name,
                                                            std::uint64_t min, std::uint64_t max) {
    const json* v = find(name, false);
    return v ? as_integer(*v, name, min, max) : std::nullopt;
}

field_reader field_reader::nested(std::string_view name) {
    static const json empty = json::object();
    const json* v = find(name, true);
    if (v && !v->is_object()) {
        fail(error_code::wrong_field_type, name);
        v = nullptr;
    }
    std::string path = path_;
    path.append(name).append(".");
    return field_reader(v ? *v : empty, err_, scope::nested, std::move(path));
}

std::vector<field_reader> field_reader::objects(std::string_view name, std::size_t max_items) {
    std::vector<field_reader> elements;
    const json* v = find(name, true);
    if (!v) {
        return elements;
    }
    if (!v->is_array()) {
        fail(error_code::wrong_field_type, name);
        return elements;
    }
    if (v->size() > max_items) {
        fail(error_code::invalid_field_value, name);
        return elements;
    }
    elements.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) {
        const json& element = (*v)[i];
        std::string path = path_;
        path.append(name).append("[").append(std::to_string(i)).append("]");
        if (!element.is_object()) {
            // fail() prefixes path_, so name the element relative to it.
            fail(error_code::wrong_field_type, std::string_view(path).substr(path_.size()));
            elements.clear();
            return elements;
        }
        path.append(".");
        elements.emplace_back(element, err_, scope::nested, std::move(path));
    }
    return elements;
}

void field_reader::require(bool ok, std::string_view name) {
    if (!ok) {
        fail(error_code::invalid_field_value, name);
    }
}

const json* field_reader::find(std::string_view name, bool required) {
    if (err_) {
        return nullptr;
    }
    const auto it = object_.find(name);
    if (it == object_.end()) {
        if (required) {
            fail(error_code::missing_field, name);
        }
        return nullptr;
    }
    // Optional members are omitted, never null: null is a type error.
    return &*it;
}

std::optional<std::string> field_reader::as_string(const json& v, std::string_view name) {
    if (!v.is_string()) {
        fail(error_code::wrong_field_type, name);
        return std::nullopt;
    }
    return v.get<std::string>();
}

std::optional<bool> field_reader::as_boolean(const json& v, std::string_view name) {
    if (!v.is_boolean()) {
        fail(error_code::wrong_field_type, name);
        return std::nullopt;
    }
    return v.get<bool>();
}

std::optional<std::uint64_t> field_reader::as_integer(const json& v, std::string_view name,
                                                      std::uint64_t min, std::uint64_t max) {
    if (!v.is_number_integer()) {
        fail(error_code::wrong_field_type, name);
        return std::nullopt;
    }
    // nlohmann stores non-negative literals as unsigned and negative ones as
    // signed; "-0" is a signed zero.
    std::uint64_t u = 0;
    if (v.is_number_unsigned()) {
        u = v.get<std::uint64_t>();
    } else if (const auto s = v.get<std::int64_t>(); s >= 0) {
        u = static_cast<std::uint64_t>(s);
    } else {
        fail(error_code::invalid_field_value, name);
        return std::nullopt;
    }
    if (u < min || u > max) {
        fail(error_code::invalid_field_value, name);
        return std::nullopt;
    }
    return u;
}

void field_reader::fail(error_code code, std::string_view name) {
    if (!err_) {
        std::string detail(path_);
        detail.append(name);
        err_ = make_error(code, detail);
    }
}

bool is_valid_id(std::string_view s) noexcept {
    if (s.empty() || s.size() > 64) {
        return false;
    }
    for (char c : s) {
        if (!is_id_char(c)) {
            return false;
        }
    }
    return true;
}

std::string to_compact_text(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

} // namespace peerline::protocol::detail
