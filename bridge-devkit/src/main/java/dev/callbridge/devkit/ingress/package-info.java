/**
 * Load and crash tests of {@code bridge ingress}: signed webhooks from many clients at once
 * ({@link dev.callbridge.devkit.ingress.WebhookLoad}), used by the benchmark's ingress part and by
 * the SIGKILL soak ({@link dev.callbridge.devkit.ingress.IngressSoakCommand}, {@code bin/ingress-soak}).
 */
package dev.callbridge.devkit.ingress;
