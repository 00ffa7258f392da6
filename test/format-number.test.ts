import { describe, expect, it } from "vitest";
import { formatMeasured } from "../src/measure/format-number.js";

describe("formatMeasured", () => {
  it("never prints a raw float (issue 13, item 8)", () => {
    expect(formatMeasured(288.46500000000003)).toBe("288.5");
    expect(formatMeasured(46.334999999999994)).toBe("46.33");
    expect(formatMeasured(58.400000000000006)).toBe("58.4");
    expect(formatMeasured(0.1 + 0.2)).toBe("0.3");
  });

  it("keeps the integer part whole and small values readable", () => {
    expect(formatMeasured(123456.7)).toBe("123457");
    expect(formatMeasured(0.000123456)).toBe("0.0001235");
    expect(formatMeasured(-12.3456)).toBe("-12.35");
    expect(formatMeasured(0)).toBe("0");
    expect(formatMeasured(7)).toBe("7");
  });

  it("rounds to the second significant digit of the spread", () => {
    expect(formatMeasured(288.46500000000003, 0.12)).toBe("288.47");
    expect(formatMeasured(288.46500000000003, 3.4)).toBe("288.5");
    expect(formatMeasured(288.46500000000003, 34)).toBe("288");
    expect(formatMeasured(1.5, 0.01)).toBe("1.500");
  });

  it("never shows more than six significant digits, however small the spread", () => {
    expect(formatMeasured(288.46500000000003, 1e-9)).toBe("288.465");
  });

  it("prints a dash for a value that is not a number", () => {
    expect(formatMeasured(Number.NaN)).toBe("—");
    expect(formatMeasured(Number.POSITIVE_INFINITY)).toBe("—");
  });
});
