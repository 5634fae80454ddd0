//! One plain-HTTP/1.1 exchange over std's `TcpStream`, shared by the
//! core-only hello world and the floor, so that what differs between their
//! builds is the SDK alone. Plain HTTP only: enough for a local endpoint
//! (an emulator, or a TLS-terminating proxy on the device).

use std::io::{self, Read, Write};
use std::net::TcpStream;

/// Sends a request to `uri` (`http://host[:port]/path?query`) and reads the
/// whole response; the connection is closed after it.
pub fn exchange(
    method: &str,
    uri: &http::Uri,
    headers: &http::HeaderMap,
    body: &[u8],
) -> io::Result<http::Response<Vec<u8>>> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let authority = uri
        .authority()
        .ok_or_else(|| invalid("the URI has no host"))?;
    let port = authority.port_u16().unwrap_or(80);
    let mut stream = TcpStream::connect((authority.host(), port))?;
    let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    if !headers.contains_key(http::header::HOST) {
        head.push_str(&format!("host: {authority}\r\n"));
    }
    for (name, value) in headers {
        let value = value
            .to_str()
            .map_err(|_| invalid("a header value is not text"))?;
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !headers.contains_key(http::header::CONTENT_LENGTH) {
        head.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    head.push_str("connection: close\r\n\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;

    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    let end = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid("the response has no end of headers"))?;
    let head =
        std::str::from_utf8(&reply[..end]).map_err(|_| invalid("the response head is not text"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| invalid("no status line"))?;
    let mut response = http::Response::builder().status(status);
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            response = response.header(name.trim(), value.trim());
        }
    }
    response
        .body(reply[end + 4..].to_vec())
        .map_err(|e| invalid(&e.to_string()))
}
