#include "redis/hiredis_asio.hpp"

#include <hiredis/async.h>

namespace peerline::redis {

namespace net = boost::asio;

std::shared_ptr<hiredis_asio> hiredis_asio::attach(redisAsyncContext* ctx,
                                                   net::any_io_executor ex) {
    if (ctx->ev.data != nullptr) return nullptr;
    auto adapter = std::make_shared<hiredis_asio>(ctx, std::move(ex));
    adapter->self_ref_ = adapter;
    ctx->ev.data = adapter.get();
    ctx->ev.addRead = &hiredis_asio::add_read;
    ctx->ev.delRead = &hiredis_asio::del_read;
    ctx->ev.addWrite = &hiredis_asio::add_write;
    ctx->ev.delWrite = &hiredis_asio::del_write;
    ctx->ev.cleanup = &hiredis_asio::cleanup;
    return adapter;
}

hiredis_asio::hiredis_asio(redisAsyncContext* ctx, net::any_io_executor ex)
    : ctx_(ctx), socket_(std::move(ex), ctx->c.fd) {}

hiredis_asio::~hiredis_asio() {
    // Never close hiredis's descriptor.
    if (socket_.is_open()) socket_.release();
}

void hiredis_asio::add_read(void* p) {
    auto* self = static_cast<hiredis_asio*>(p);
    self->want_read_ = true;
    self->arm_read();
}
void hiredis_asio::del_read(void* p) { static_cast<hiredis_asio*>(p)->want_read_ = false; }
void hiredis_asio::add_write(void* p) {
    auto* self = static_cast<hiredis_asio*>(p);
    self->want_write_ = true;
    self->arm_write();
}
void hiredis_asio::del_write(void* p) { static_cast<hiredis_asio*>(p)->want_write_ = false; }

void hiredis_asio::cleanup(void* p) {
    auto* self = static_cast<hiredis_asio*>(p);
    self->ctx_ = nullptr;
    self->want_read_ = self->want_write_ = false;
    if (self->socket_.is_open()) {
        boost::system::error_code ignored;
        self->socket_.cancel(ignored);
        self->socket_.release();
    }
    // Drop hiredis's reference; pending waits still hold theirs.
    auto keep = std::move(self->self_ref_);
}

void hiredis_asio::arm_read() {
    if (read_armed_ || !ctx_) return;
    read_armed_ = true;
    socket_.async_wait(net::posix::stream_descriptor::wait_read,
                       [self = shared_from_this()](boost::system::error_code ec) {
                           self->read_armed_ = false;
                           if (ec || !self->ctx_ || !self->want_read_) return;
                           redisAsyncHandleRead(self->ctx_); // may free ctx (cleanup)
                           if (self->ctx_ && self->want_read_) self->arm_read();
                       });
}

void hiredis_asio::arm_write() {
    if (write_armed_ || !ctx_) return;
    write_armed_ = true;
    socket_.async_wait(net::posix::stream_descriptor::wait_write,
                       [self = shared_from_this()](boost::system::error_code ec) {
                           self->write_armed_ = false;
                           if (ec || !self->ctx_ || !self->want_write_) return;
                           redisAsyncHandleWrite(self->ctx_); // may free ctx (cleanup)
                           if (self->ctx_ && self->want_write_) self->arm_write();
                       });
}

} // namespace peerline::redis
