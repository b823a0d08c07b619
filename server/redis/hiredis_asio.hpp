// Drives a hiredis async context from Asio (the hiredis adapter pattern).
//
// hiredis asks its event loop for five things: start/stop watching the socket
// for reading, start/stop watching it for writing, and clean up. This adapter
// answers them with async_wait on a posix::stream_descriptor that does NOT own
// the file descriptor (hiredis closes it; we only release). All five hooks are
// idempotent. Pending waits hold a shared_ptr to the adapter, and cleanup()
// marks the context gone, so a wait that completes after hiredis freed the
// context does nothing.
//
// Thread-safety: none. A context, its adapter and every call into hiredis
// must stay on the one executor the adapter was created with.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <memory>

struct redisAsyncContext;

namespace peerline::redis {

class hiredis_asio : public std::enable_shared_from_this<hiredis_asio> {
public:
    // Attaches to `ctx`. Returns nullptr if ctx already has an event loop
    // attached (hiredis's rule: one loop per context).
    static std::shared_ptr<hiredis_asio> attach(redisAsyncContext* ctx,
                                                boost::asio::any_io_executor ex);

    hiredis_asio(redisAsyncContext* ctx, boost::asio::any_io_executor ex);
    ~hiredis_asio();

private:
    static void add_read(void* self);
    static void del_read(void* self);
    static void add_write(void* self);
    static void del_write(void* self);
    static void cleanup(void* self);

    void arm_read();
    void arm_write();

    redisAsyncContext* ctx_;
    boost::asio::posix::stream_descriptor socket_;
    bool want_read_ = false, want_write_ = false;
    bool read_armed_ = false, write_armed_ = false;
    // hiredis holds a raw pointer to us in ctx->ev.data; this keeps us alive
    // until cleanup() releases it.
    std::shared_ptr<hiredis_asio> self_ref_;
};

} // namespace peerline::redis
