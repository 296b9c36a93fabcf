/**
 * The static-file side of the HTTP server, as pure pieces with no sockets: mapping a request
 * path to a file under the document root without ever leaving it ({@link
 * io.understudy.httpd.files.DocumentRoot}, and {@link io.understudy.httpd.files.ResolutionCache},
 * which checks a recent resolution again with one {@code stat}), naming a file version ({@link
 * io.understudy.httpd.files.FileIdentity}, whose strong ETag and Last-Modified the server sends),
 * the media type ({@link io.understudy.httpd.files.ContentTypes}), conditional requests ({@link
 * io.understudy.httpd.files.Conditional}) and single byte ranges ({@link
 * io.understudy.httpd.files.RangeRequest}).
 *
 * <p>The server applies them in RFC 9110 §13.2.2 order: resolve the path; evaluate the
 * preconditions (304/412); then the range (206/416/200).
 */
package io.understudy.httpd.files;
