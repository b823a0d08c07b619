// Serves the web client's built files from a directory (GET/HEAD only), with
// a strict Content-Security-Policy. With no directory configured it serves a
// built-in placeholder page until the web client is built.
#pragma once

#include "net/beast.hpp"

#include <string>

namespace peerline {

http_response serve_static(const http_request& req, const std::string& web_root);

} // namespace peerline
