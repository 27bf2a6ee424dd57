package io.github.tcp4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Opening packet channels by name. */
class PacketChannelsTest {

    @Test
    void udpSpecsOpenUdpChannels() throws IOException {
        try (PacketChannel c = PacketChannels.open("udp:0")) {
            UdpPacketChannel udp = assertInstanceOf(UdpPacketChannel.class, c);
            assertEquals("127.0.0.1", udp.localAddress().getAddress().getHostAddress());
        }
        try (PacketChannel c = PacketChannels.open("udp:127.0.0.1:0,127.0.0.1:9")) {
            assertInstanceOf(UdpPacketChannel.class, c);
        }
    }

    @Test
    void unknownSchemesAndBadSpecsSayWhy() {
        IOException e = assertThrows(IOException.class, () -> PacketChannels.open("carrier-pigeon:x"));
        assertTrue(e.getMessage().contains("udp"), "lists what is available: " + e.getMessage());
        IOException tun = assertThrows(IOException.class, () -> PacketChannels.open("tun:tcp4j0"));
        assertTrue(tun.getMessage().contains("tcp-tun"), "without tcp-tun, says where tun comes from: " + tun.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PacketChannels.open("tcp4j0"));
        assertThrows(IllegalArgumentException.class, () -> PacketChannels.open("udp:x"));
        assertThrows(IllegalArgumentException.class, () -> PacketChannels.open("udp:0,nowhere"));
    }
}
