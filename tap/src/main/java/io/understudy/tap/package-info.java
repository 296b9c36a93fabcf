/**
 * Linux TAP devices for Understudy: opens {@code /dev/net/tun} and moves whole Ethernet
 * frames (optionally prefixed by a virtio-net header) between the kernel and direct
 * {@link java.nio.ByteBuffer}s. Knows nothing about the protocols inside the frames.
 */
package io.understudy.tap;
