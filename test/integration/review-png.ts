// Minimal PNG decoding for the review report screenshot check (8-bit RGB/RGBA, non-interlaced),
// using node:zlib only.
import { inflateSync } from 'node:zlib';

export type PixelStats = { width: number; height: number; meanLuma: number; lumaStdDev: number; nonWhiteFraction: number; distinctColours: number };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes a PNG and returns brightness statistics over every pixel. Throws on unsupported formats. */
export function pngPixelStats(png: Buffer): PixelStats {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [bitDepth, colourType, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (bitDepth !== 8 || interlace !== 0 || (colourType !== 2 && colourType !== 6)) throw new Error(`unsupported PNG (depth ${bitDepth}, colour ${colourType}, interlace ${interlace})`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = y > 0 && x >= channels ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
      const v = line[x] ?? 0;
      const predicted = filter === 0 ? 0 : filter === 1 ? left : filter === 2 ? up : filter === 3 ? Math.floor((left + up) / 2) : paeth(left, up, upLeft);
      pixels[y * stride + x] = (v + predicted) & 0xff;
    }
  }
  let sum = 0;
  let sumSq = 0;
  let nonWhite = 0;
  const colours = new Set<number>();
  const n = width * height;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [pixels[i * channels] ?? 0, pixels[i * channels + 1] ?? 0, pixels[i * channels + 2] ?? 0];
    const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    sum += luma;
    sumSq += luma * luma;
    if (luma < 240) nonWhite += 1;
    if (colours.size < 5_000) colours.add((r << 16) | (g << 8) | b);
  }
  const mean = sum / n;
  return { width, height, meanLuma: mean, lumaStdDev: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), nonWhiteFraction: nonWhite / n, distinctColours: colours.size };
}
