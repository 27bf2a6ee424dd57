/**
 * Packet capture in the classic pcap format: {@link io.github.tcp4j.core.pcap.PcapWriter} records
 * what a transport sends (on the simulator, with virtual timestamps) so it can be opened in
 * Wireshark or tshark; {@link io.github.tcp4j.core.pcap.PcapReader} reads such files back.
 */
package io.github.tcp4j.core.pcap;
