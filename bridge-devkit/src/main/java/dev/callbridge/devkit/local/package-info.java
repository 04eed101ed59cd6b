/**
 * The pieces of the one-command local demo besides the broker, the emulator and the bridge: the
 * demo call traffic ({@link dev.callbridge.devkit.local.DemoTraffic}), the terminal summary
 * ({@link dev.callbridge.devkit.local.LiveSummary}) and the web page of calls
 * ({@link dev.callbridge.devkit.local.CallBoard}).
 */
package dev.callbridge.devkit.local;
