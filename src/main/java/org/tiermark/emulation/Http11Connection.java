package org.tiermark.emulation;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One kept-alive HTTP/1.1 connection with blocking reads and writes on the caller's thread: the inference
 * path of {@link InferenceClient}. The JDK {@code HttpClient} hands every request to its selector thread and
 * back, which cost about 0.23 ms per request on loopback here (a health request: 356 us median through it,
 * 123 us over a plain socket, same agent, interleaved, load average 13); a request and its answer here cross
 * no thread. Fixed-length and chunked answers; the connection is opened again when the server closed it.
 */
final class Http11Connection implements Closeable {
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final URI endpoint;
    private final Duration timeout;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    /** An answer: status, headers by lower-case name, body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    /** Thrown when no connection could be made (refused, unreachable, or not within the timeout). */
    static final class Unreachable extends IOException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    Http11Connection(URI endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    /**
     * Sends one request and reads its whole answer within the timeout. A kept connection the server closed
     * in between is opened again once, when nothing of the answer was read.
     */
    synchronized Response exchange(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean reused = socket != null;
        try {
            return exchangeOnce(method, path, headers, body, deadline);
        } catch (StaleBeforeAnswer e) {
            close();
            if (!reused) {
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            close(); // the connection's state is unknown: the next request opens a new one
            throw e;
        }
        try {
            return exchangeOnce(method, path, headers, body, deadline);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Response exchangeOnce(String method, String path, Map<String, String> headers, byte[] body, long deadline)
            throws IOException {
        if (socket == null) {
            open(deadline);
        }
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
                .append(endpoint.getHost()).append(':').append(endpoint.getPort()).append("\r\nContent-Length: ")
                .append(body.length).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        try {
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        } catch (SocketException e) {
            throw new StaleBeforeAnswer(e);
        }
        String status = readLine(deadline, true);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: '" + status + "'");
        }
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("malformed status line: '" + status + "'", e);
        }
        Map<String, String> answered = new LinkedHashMap<>();
        int headBytes = status.length();
        for (String line; !(line = readLine(deadline, false)).isEmpty(); ) {
            headBytes += line.length();
            if (headBytes > MAX_HEAD_BYTES) {
                throw new IOException("answer headers over " + MAX_HEAD_BYTES + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                answered.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
        }
        byte[] answer;
        if ("chunked".equalsIgnoreCase(answered.getOrDefault("transfer-encoding", ""))) {
            answer = readChunked(deadline);
        } else if (answered.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(answered.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length '" + answered.get("content-length") + "'", e);
            }
            if (length < 0 || length > Integer.MAX_VALUE - 8) {
                throw new IOException("Content-Length " + length + " out of range");
            }
            answer = readFully((int) length, deadline);
        } else {
            answer = code == 204 || code == 304 ? new byte[0] : readToEnd(deadline);
            close();
        }
        if ("close".equalsIgnoreCase(answered.getOrDefault("connection", "")) || parts[0].equals("HTTP/1.0")) {
            close();
        }
        return new Response(code, answered, answer);
    }

    private void open(long deadline) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), remainingMillis(deadline));
        } catch (SocketTimeoutException e) {
            s.close();
            throw new Unreachable("no connection within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            s.close();
            throw new Unreachable(e.getMessage() == null ? "connection refused" : e.getMessage(), e);
        }
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
        out = s.getOutputStream();
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new SocketTimeoutException("the timeout passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    /** One CRLF-terminated line; at the status line an immediate end of stream means the server closed a kept connection. */
    private String readLine(long deadline, boolean first) throws IOException {
        socket.setSoTimeout(remainingMillis(deadline));
        StringBuilder b = new StringBuilder();
        for (int ch; ; ) {
            ch = in.read();
            if (ch == -1) {
                if (first && b.length() == 0) {
                    throw new StaleBeforeAnswer(null);
                }
                throw new IOException("the answer ended mid-header");
            }
            if (ch == '\n') {
                break;
            }
            if (ch != '\r') {
                b.append((char) ch);
            }
            if (b.length() > MAX_HEAD_BYTES) {
                throw new IOException("an answer header line over " + MAX_HEAD_BYTES + " bytes");
            }
        }
        return b.toString();
    }

    private byte[] readFully(int length, long deadline) throws IOException {
        byte[] b = new byte[length];
        int off = 0;
        while (off < length) {
            socket.setSoTimeout(remainingMillis(deadline));
            int n = in.read(b, off, length - off);
            if (n < 0) {
                throw new IOException("truncated answer: " + off + " of " + length + " body bytes received");
            }
            off += n;
        }
        return b;
    }

    private byte[] readChunked(long deadline) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = readLine(deadline, false);
            int semi = size.indexOf(';');
            int n;
            try {
                n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size '" + size + "'", e);
            }
            if (n == 0) {
                while (!readLine(deadline, false).isEmpty()) {
                    // trailers: not used
                }
                return body.toByteArray();
            }
            body.write(readFully(n, deadline));
            readLine(deadline, false);
        }
    }

    private byte[] readToEnd(long deadline) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (true) {
            socket.setSoTimeout(remainingMillis(deadline));
            int n = in.read(buf);
            if (n < 0) {
                return body.toByteArray();
            }
            body.write(buf, 0, n);
        }
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing: nothing to keep
            }
            socket = null;
        }
    }

    /** The kept connection was gone before any of the answer arrived: the request may be sent again. */
    private static final class StaleBeforeAnswer extends IOException {
        StaleBeforeAnswer(Throwable cause) {
            super("the server closed the connection before answering", cause);
        }
    }
}
