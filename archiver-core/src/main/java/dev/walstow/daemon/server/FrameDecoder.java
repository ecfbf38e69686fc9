package dev.walstow.daemon.server;

import dev.walstow.agent.protocol.Frames;
import dev.walstow.agent.protocol.Message;
import dev.walstow.agent.protocol.ProtocolException;
import dev.walstow.agent.protocol.Request;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Turns the bytes of one connection into exactly one {@link Request} or one {@link MalformedRequest}; all protocol
 * rules stay in {@link Frames}.
 *
 * <p>Memory is bounded: the header is validated (length at most {@link Frames#MAX_PAYLOAD}) as soon as its 10 bytes
 * are in, and after the one frame the connection stops reading and drops anything else the peer sends.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private boolean done;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (done) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < Frames.HEADER_LENGTH) {
            return;
        }
        byte[] headerBytes = new byte[Frames.HEADER_LENGTH];
        in.getBytes(in.readerIndex(), headerBytes);
        try {
            Frames.Header header = Frames.parseHeader(headerBytes);
            if (in.readableBytes() < Frames.HEADER_LENGTH + header.length()) {
                return;
            }
            in.skipBytes(Frames.HEADER_LENGTH);
            byte[] payload = new byte[header.length()];
            in.readBytes(payload);
            Message message = Frames.decodeBody(header, payload);
            out.add(message instanceof Request request ? request
                    : new MalformedRequest("expected a request, got a reply frame"));
        } catch (ProtocolException e) {
            out.add(new MalformedRequest(e.getMessage()));
        }
        finish(ctx, in);
    }

    private void finish(ChannelHandlerContext ctx, ByteBuf in) {
        done = true;
        in.skipBytes(in.readableBytes());
        // One request per connection: stop reading so a peer cannot make us buffer (or even look at) more.
        ctx.channel().config().setAutoRead(false);
    }
}
