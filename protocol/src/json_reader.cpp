// Bounded JSON parsing with nlohmann's SAX interface, and the envelope check.
//
// Why SAX: nlohmann::json::parse builds the whole document before we could
// look at it. A hostile client could then make us allocate a deep or wide
// tree. Our handler builds the DOM itself and stops at the first value that
// breaks a limit; nlohmann's parser is iterative, so even 10,000 '[' cost a
// few bytes of state before the depth limit ends the parse. (The lexer still
// reads each string token whole; the frame-size check bounds that.)
#include "json_reader.hpp"

#include <string>
#include <vector>

namespace peerline::protocol::detail {
namespace {

std::string limit_detail(std::size_t limit, std::string_view unit) {
    std::string s = "limit is " + std::to_string(limit);
    if (!unit.empty()) {
        s.append(" ").append(unit);
    }
    return s;
}

// A SAX handler that builds a json DOM within limits. Each callback returns
// false to abort the parse; the reason is kept in err.
class bounded_builder {
  public:
    bounded_builder(const limits& lim, std::size_t max_depth) : lim_(lim), max_depth_(max_depth) {}

    bool null() { return put(json(nullptr)); }
    bool boolean(bool b) { return put(json(b)); }
    bool number_integer(json::number_integer_t n) { return put(json(n)); }
    bool number_unsigned(json::number_unsigned_t n) { return put(json(n)); }
    bool number_float(json::number_float_t x, const json::string_t& /*raw*/) {
        return put(json(x));
    }
    bool string(json::string_t& s) {
        if (s.size() > lim_.max_string_bytes) {
            return fail(error_code::string_too_long, limit_detail(lim_.max_string_bytes, "bytes"));
        }
        return put(json(std::move(s)));
    }
    // JSON text never produces binary values; only CBOR and friends do.
    bool binary(json::binary_t& /*b*/) { return fail(error_code::malformed_json, {}); }

    bool start_object(std::size_t /*unknown size*/) { return open(json::value_t::object); }
    bool key(json::string_t& k) {
        if (k.size() > lim_.max_string_bytes) {
            return fail(error_code::string_too_long, limit_detail(lim_.max_string_bytes, "bytes"));
        }
        json& obj = *stack_.back();
        if (obj.contains(k)) {
            // Which of two values is meant is ambiguous; parsers disagree, so refuse.
            return fail(error_code::duplicate_field, {});
        }
        if (obj.size() >= lim_.max_object_members) {
            return fail(error_code::too_many_fields, limit_detail(lim_.max_object_members, ""));
        }
        // std::map nodes are stable, so the slot stays valid until its value arrives.
        member_slot_ = &obj[std::move(k)];
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t /*unknown size*/) { return open(json::value_t::array); }
    bool end_array() { return close(); }

    bool parse_error(std::size_t /*position*/, const std::string& /*last token*/,
                     const nlohmann::detail::exception& /*ex*/) {
        // The lexer's message may quote input bytes; never pass it on.
        return fail(error_code::malformed_json, {});
    }

    json root;
    std::optional<error> err;

  private:
    // Places a value where the grammar puts it: the root, the next array
    // element or the member named by the last key. Returns where it went.
    json* place(json&& v) {
        if (stack_.empty()) {
            root = std::move(v);
            return &root;
        }
        json& parent = *stack_.back();
        if (parent.is_array()) {
            // Only the newest element is ever referenced from stack_, so a
            // reallocation here cannot leave a dangling pointer behind.
            parent.push_back(std::move(v));
            return &parent.back();
        }
        *member_slot_ = std::move(v);
        return member_slot_;
    }
    bool put(json&& v) {
        place(std::move(v));
        return true;
    }
    bool open(json::value_t t) {
        if (stack_.size() >= max_depth_) {
            return fail(error_code::nesting_too_deep, limit_detail(max_depth_, ""));
        }
        stack_.push_back(place(json(t)));
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }
    bool fail(error_code code, std::string_view detail) {
        if (!err) {
            err = make_error(code, detail);
        }
        return false;
    }

    const limits& lim_;
    std::size_t max_depth_;
    std::vector<json*> stack_;
    json* member_slot_ = nullptr;
};

} // namespace

parsed_document parse_bounded(std::string_view frame, const limits& lim, std::size_t max_depth) {
    if (frame.size() > lim.max_control_frame_bytes) {
        return {json{}, make_error(error_code::frame_too_large,
                                   limit_detail(lim.max_control_frame_bytes, "bytes"))};
    }
    bounded_builder builder(lim, max_depth);
    const bool ok = json::sax_parse(frame.begin(), frame.end(), &builder,
                                    json::input_format_t::json, /*strict=*/true,
                                    /*ignore_comments=*/false);
    if (!ok || builder.err) {
        return {json{},
                builder.err ? std::move(builder.err) : make_error(error_code::malformed_json)};
    }
    return {std::move(builder.root), std::nullopt};
}

envelope read_envelope(const json& doc) {
    envelope env;
    if (!doc.is_object()) {
        env.err = make_error(error_code::not_an_object);
        return env;
    }
    // Read the type first so that even a version error can name the request.
    const auto type = doc.find("type");
    const bool type_is_string = type != doc.end() && type->is_string();
    if (type_is_string) {
        env.type = type->get<std::string>();
    }
    const auto v = doc.find("v");
    if (v == doc.end()) {
        env.err = make_error(error_code::missing_version);
    } else if (!v->is_number_unsigned() || v->get<std::uint64_t>() != 1) {
        // Exactly the integer 1: 1.0, "1" and true are not versions.
        env.err = make_error(error_code::unsupported_version, "this server speaks v1");
    } else if (!type_is_string) {
        env.err = make_error(error_code::missing_type);
    }
    return env;
}

} // namespace peerline::protocol::detail
