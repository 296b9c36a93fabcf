/**
 * TCB replication: the delta codec, the primary's shipper, the standby's applier, failure
 * detection and takeover, written against the stack's replication SPI.
 */
package io.understudy.replication;
