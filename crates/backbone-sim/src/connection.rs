//! Real connection drops: each accepted TCP connection keeps a duplicate of its socket handle so
//! a fault can shut the socket down mid-request. The client then sees the connection closed
//! with no response at all, like a crashed server or a cut network path.
//!
//! `shutdown` acts on the socket, not on the handle, so shutting the duplicate down ends the
//! connection actix is serving; actix closes its own handle when it notices.

use std::any::Any;
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::dev::Extensions;

#[derive(Debug, Clone)]
struct ConnectionSocket(Arc<TcpStream>);

/// `HttpServer::on_connect` hook: remembers the connection's socket.
pub(crate) fn register(connection: &dyn Any, extensions: &mut Extensions) {
    #[cfg(unix)]
    if let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
        use std::os::fd::AsFd;
        match stream.as_fd().try_clone_to_owned() {
            Ok(fd) => {
                extensions.insert(ConnectionSocket(Arc::new(TcpStream::from(fd))));
            }
            Err(error) => {
                tracing::warn!(%error, "cannot duplicate a connection's socket; drop faults will hang instead")
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (connection, extensions);
}

/// Shuts down the connection `request` arrived on. Returns whether that was possible.
pub(crate) fn close(request: &HttpRequest) -> bool {
    match request.conn_data::<ConnectionSocket>() {
        Some(socket) => socket.0.shutdown(Shutdown::Both).is_ok(),
        None => false,
    }
}
