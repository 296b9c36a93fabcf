package io.understudy.httpd;

/**
 * Why the decoder refused a request: the status code to answer with (400, 413, 414, 431, 501 or
 * 505) and a short reason for the log. After an error the connection is answered once and closed.
 *
 * @param status the response status code
 * @param reason what was wrong, for the log (never echoes request bytes)
 */
public record DecodeError(int status, String reason) {
    /** 400: malformed syntax or a framing the decoder refuses to guess about. */
    public static final int BAD_REQUEST = 400;
    /** 413: the content exceeds {@link Limits#maxBody()}. */
    public static final int CONTENT_TOO_LARGE = 413;
    /** 414: the request line exceeds {@link Limits#maxRequestLine()}. */
    public static final int URI_TOO_LONG = 414;
    /** 431: the header (or trailer) section exceeds its byte or field-count limit. */
    public static final int HEADER_FIELDS_TOO_LARGE = 431;
    /** 501: a transfer coding other than chunked. */
    public static final int NOT_IMPLEMENTED = 501;
    /** 505: a well-formed HTTP version other than 1.0 and 1.1. */
    public static final int VERSION_NOT_SUPPORTED = 505;
}
