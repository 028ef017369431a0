import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startWsProxy, type WsProxy } from "./ws-proxy";

describe("ws-proxy", () => {
  let echo: net.Server;
  let echoPort: number;
  let proxy: WsProxy;

  beforeAll(async () => {
    echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    echoPort = (echo.address() as net.AddressInfo).port;
    proxy = await startWsProxy({ allowedTargets: [`postgres://u:p@127.0.0.1:${echoPort}/db`] });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  const open = (address: string) => new WebSocket(`ws://${proxy.address}/?address=${address}`);

  it("pipes bytes both ways to the allowed database address", async () => {
    const socket = open(`127.0.0.1:${echoPort}`);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      socket.once("open", () => socket.send(Buffer.from("ping")));
      socket.once("message", (data: Buffer) => resolve(data));
      socket.once("error", reject);
    });
    expect(reply.toString()).toBe("ping");
    socket.close();
  });

  it("refuses requests and upgrades under any name but a loopback one (DNS rebinding)", async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = http.get(
        { host: "127.0.0.1", port: proxy.port, path: "/stats", headers: { host: "attacker.example" } },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      request.on("error", reject);
    });
    expect(status).toBe(403);
    const socket = new WebSocket(`ws://${proxy.address}/?address=127.0.0.1:${echoPort}`, {
      headers: { host: "attacker.example" },
    });
    const refused = await new Promise<boolean>((resolve) => {
      socket.once("open", () => resolve(false));
      socket.once("error", () => resolve(true));
    });
    expect(refused).toBe(true);
    expect((await fetch(`http://${proxy.address}/stats`)).status).toBe(200);
  });

  it("refuses a WebSocket a web page opens (it carries an Origin), even under a loopback name", async () => {
    const socket = new WebSocket(`ws://${proxy.address}/?address=127.0.0.1:${echoPort}`, {
      origin: "http://127.0.0.1:5173",
    });
    const refused = await new Promise<boolean>((resolve) => {
      socket.once("open", () => resolve(false));
      socket.once("error", () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it("refuses any other address, so it is not an open relay", async () => {
    const socket = open("127.0.0.1:22");
    const code = await new Promise<number>((resolve) =>
      socket.once("close", (closeCode) => resolve(closeCode)),
    );
    expect(code).toBe(1008);
  });
});
