package dev.callbridge.ingress;

import dev.callbridge.model.event.CallEvent;

/** One event as the ingress writes it: the structured-mode bytes, and the event the bridge will read from them. */
record InputRecord(CallEvent event, byte[] value) {}
