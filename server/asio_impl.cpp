// The one translation unit that compiles Boost.Asio, Boost.Beast and Asio's
// SSL support (separate compilation): every other file only sees
// declarations, which keeps a 2-core build fast.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
