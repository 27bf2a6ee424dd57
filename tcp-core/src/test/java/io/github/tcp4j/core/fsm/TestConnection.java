package io.github.tcp4j.core.fsm;

/** A connection view whose fields a test sets directly. */
final class TestConnection implements ConnectionView {
    TcpState state;
    int iss;
    int sndUna;
    int sndNxt;
    long maxSndWnd = 65535;
    int rcvNxt;
    long rcvWnd = 65535;
    boolean passive;
    boolean finSent;
    boolean appClosed;
    boolean rfc1337 = true;
    boolean timestamps;
    int tsRecent;

    TestConnection(TcpState state) {
        this.state = state;
    }

    @Override
    public TcpState state() {
        return state;
    }

    @Override
    public int iss() {
        return iss;
    }

    @Override
    public int sndUna() {
        return sndUna;
    }

    @Override
    public int sndNxt() {
        return sndNxt;
    }

    @Override
    public long maxSndWnd() {
        return maxSndWnd;
    }

    @Override
    public int rcvNxt() {
        return rcvNxt;
    }

    @Override
    public long rcvWnd() {
        return rcvWnd;
    }

    @Override
    public boolean openedPassively() {
        return passive;
    }

    @Override
    public boolean finSent() {
        return finSent;
    }

    @Override
    public boolean applicationClosed() {
        return appClosed;
    }

    @Override
    public boolean rfc1337Protection() {
        return rfc1337;
    }

    @Override
    public boolean timestampsInUse() {
        return timestamps;
    }

    @Override
    public int tsRecent() {
        return tsRecent;
    }
}
