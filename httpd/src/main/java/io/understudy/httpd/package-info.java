/**
 * The bundled HTTP/1.1 server, written against the stack's socket API. Each request is
 * consumed whole and its whole response appended in one callback on the stack thread, so the
 * connection's byte streams carry all of the server's state and a standby can resume it.
 */
package io.understudy.httpd;
