// Private to the protocol library: bounded JSON parsing and strict typed
// access to the members of a decoded control frame. Shared by the client and
// server message decoders so both directions apply the same rules.
#pragma once

#include "peerline/protocol/errors.hpp"
#include "peerline/protocol/limits.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerline::protocol::detail {

using json = nlohmann::json;

// A parsed document, or the first error met while parsing.
struct parsed_document {
    json doc;
    std::optional<error> err;
};

// Parses `frame` as exactly one JSON value. The frame size is checked before
// parsing; depth (at most `max_depth`), string and member-name length, member
// count and duplicate member names are checked while parsing, so an oversized
// or hostile document is rejected before it is ever built.
parsed_document parse_bounded(std::string_view frame, const limits& lim, std::size_t max_depth);

// The envelope every control frame shares: a JSON object with "v": 1 and a
// string "type".
struct envelope {
    std::string type; // set whenever "type" is a string, even if other checks fail
    std::optional<error> err;
};
envelope read_envelope(const json& doc);

// Reads members of one JSON object with strict types. The first failure is
// stored in the caller's error slot; after that every read is a no-op that
// returns a default, so decoders can read all fields linearly and check once.
// Error details name our field, never the client's value or unknown names.
class field_reader {
  public:
    // `message` scope: the top-level object, where "v" and "type" are allowed.
    enum class scope { message, nested };

    field_reader(const json& object, std::optional<error>& err, scope s = scope::message,
                 std::string path = {});

    // unknown_field if the object has a member outside `allowed`.
    void allow_only(std::initializer_list<std::string_view> allowed);

    std::string string(std::string_view name);
    std::optional<std::string> optional_string(std::string_view name);
    bool boolean(std::string_view name);
    std::optional<bool> optional_boolean(std::string_view name);
    // A JSON integer (never a float or string) in [min, max].
    std::uint64_t integer(std::string_view name, std::uint64_t min, std::uint64_t max);
    std::optional<std::uint64_t> optional_integer(std::string_view name, std::uint64_t min,
                                                  std::uint64_t max);
    // A reader over a member that must be a JSON object, sharing this
    // reader's error slot. After a failure it reads from an empty object.
    field_reader nested(std::string_view name);
    // Readers over the elements of a member that must be a JSON array of at
    // most `max_items` objects, sharing this reader's error slot: not an array,
    // or an element that is not an object, is wrong_field_type; more elements
    // is invalid_field_value. Details name elements by index, e.g.
    // "alternatives[2].name". Empty after a failure.
    std::vector<field_reader> objects(std::string_view name, std::size_t max_items);

    // A string member mapped through `parse` (one of the *_from_string).
    template <class Parse> auto enumeration(std::string_view name, Parse parse) {
        auto value = parse(string(name));
        if (!value) {
            fail(error_code::invalid_field_value, name);
        }
        using value_type = typename decltype(value)::value_type;
        return value.value_or(value_type{});
    }
    template <class Parse> auto optional_enumeration(std::string_view name, Parse parse) {
        decltype(parse(std::string_view{})) value;
        if (auto text = optional_string(name)) {
            value = parse(*text);
            if (!value) {
                fail(error_code::invalid_field_value, name);
            }
        }
        return value;
    }

    // invalid_field_value for `name` unless `ok` (for rules beyond the type).
    void require(bool ok, std::string_view name);

    bool failed() const noexcept { return err_.has_value(); }

  private:
    const json* find(std::string_view name, bool required);
    std::optional<std::string> as_string(const json& v, std::string_view name);
    std::optional<bool> as_boolean(const json& v, std::string_view name);
    std::optional<std::uint64_t> as_integer(const json& v, std::string_view name, std::uint64_t min,
                                            std::uint64_t max);
    void fail(error_code code, std::string_view name);

    const json& object_;
    std::optional<error>& err_;
    scope scope_;
    std::string path_; // prefix of nested member names in error details, e.g. "limits."
};

// True for the opaque identifiers of the protocol (offer_id,
// conversation_id): 1..64 characters of [A-Za-z0-9_-].
bool is_valid_id(std::string_view s) noexcept;

// Compact JSON text. Invalid UTF-8 in a server-side string is replaced
// rather than thrown, so encoding never fails.
std::string to_compact_text(const nlohmann::ordered_json& j);

} // namespace peerline::protocol::detail
