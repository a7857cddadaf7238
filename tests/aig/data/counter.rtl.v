// A 2-bit accumulator with synchronous reset to 1 and an enable, and a combinational output.
module counter(clk, rst, en, a, b, q, y);
  input clk, rst, en;
  input [1:0] a, b;
  output reg [1:0] q;
  output y;
  always @(posedge clk)
    if (rst) q <= 2'b01;
    else if (en) q <= q + a;
  assign y = (a[0] & b[1]) ^ q[1];
endmodule
