/** An RGB image as 8-bit interleaved pixels (what sharp decodes to with `.raw()`). */
export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, row-major, RGB. */
  pixels: Uint8Array;
}
