/**
 * A server-sent events reader for the proxy's streams: `data:` lines joined per event, events split
 * on a blank line, CRLF or LF, comments and other fields ignored. Fed text as it arrives.
 */
export class SseReader {
  private buffer = '';
  private data: string[] = [];

  /** Feeds a piece of the stream; returns the `data` of every event it completed. */
  feed(text: string): string[] {
    this.buffer += text;
    const events: string[] = [];
    for (;;) {
      const newline = this.buffer.search(/\r\n|\n|\r/);
      if (newline < 0) break;
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      // A lone CR at the very end may be the first half of a CRLF: wait for more.
      if (width === 1 && this.buffer[newline] === '\r' && newline === this.buffer.length - 1) break;
      this.buffer = this.buffer.slice(newline + width);
      if (line === '') {
        if (this.data.length > 0) events.push(this.data.join('\n'));
        this.data = [];
      } else if (line.startsWith('data:')) {
        const value = line.slice(5);
        this.data.push(value.startsWith(' ') ? value.slice(1) : value);
      }
    }
    return events;
  }

  /** The stream ended: an event without its blank line still counts. */
  end(): string[] {
    const events = this.feed('\n\n');
    this.buffer = '';
    return events;
  }
}
