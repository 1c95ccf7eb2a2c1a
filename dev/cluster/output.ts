/** A stream that passes on only the lines `keep` accepts: the cluster's programs log a lot at info level. */
export function filtered(to: NodeJS.WritableStream, keep: (line: string) => boolean): NodeJS.WritableStream {
  return {
    write(chunk: string) {
      if (keep(chunk)) to.write(chunk);
      return true;
    },
  } as NodeJS.WritableStream;
}
