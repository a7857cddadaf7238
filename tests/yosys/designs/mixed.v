// Sequential logic, a memory, a blackbox instance and keep attributes around redundant combinational logic.
(* blackbox *)
module bbox(input [3:0] i, output [3:0] o);
endmodule

module mixed(input clk, input we, input [3:0] a, b, c, input [1:0] addr, output [3:0] y, output z, output [3:0] q);
  reg [3:0] r;
  reg [3:0] mem [0:3];
  (* keep *) wire [3:0] kept = (a & b) | (a & c) | (b & c);
  wire [3:0] bo;
  bbox box(.i(a ^ b ^ kept), .o(bo));
  always @(posedge clk) begin
    r <= (a & b) | (a & ~b) | (c & (a | b));
    if (we) mem[addr] <= bo ^ r;
  end
  assign q = mem[addr];
  assign y = (r & b) | (r & ~b & c) | (~r & b & c) | (bo & ~(a | ~a));
  assign z = ^(a & b) ^ (&c) ^ ((a[0] & b[0]) | (a[0] & c[0]));
endmodule
