// Demo mode only (`--demo`, scripts/run-local): the demo listener is also a
// mentor, with a card and availability every day 09:00-17:00 in the service's
// time zone, so the GP's mentoring page has a mentor to show and the mentor
// panel something to manage. The card is shown to GPs once the demo listener
// has signed in from a browser (the demo root certifies that device at once):
// a mentor without a valid certificate is never listed.
#pragma once

#include "domain/mentoring/mentoring_store.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace peerline::mentoring {

inline constexpr const char* demo_mentor_username = "demo-listener";

// Grants the capability (the mentor id is kept from an earlier start) and
// writes the card and the availability afresh. False if Redis did not answer.
boost::asio::awaitable<bool> ensure_demo_mentor(mentoring_store& store);

} // namespace peerline::mentoring
