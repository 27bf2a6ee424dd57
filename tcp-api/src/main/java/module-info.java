/**
 * tcp4j API: the socket facade a Java developer touches, built on {@code io.github.tcp4j.core}.
 */
module io.github.tcp4j.api {
    requires transitive io.github.tcp4j.core;
    requires org.slf4j;

    exports io.github.tcp4j.api;
}
