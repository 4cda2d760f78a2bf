// Training pauses while the tab is hidden and the same labs resume when it shows (issue 21).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { HiddenTabPause, type Pausable } from "../src/hidden_tab";

class FakeLab implements Pausable {
  playing = false;
  calls: string[] = [];
  play(): void {
    this.playing = true;
    this.calls.push("play");
  }
  pause(): void {
    this.playing = false;
    this.calls.push("pause");
  }
}

test("hiding the tab pauses the training lab and showing it resumes that lab only", () => {
  const [training, idle] = [new FakeLab(), new FakeLab()];
  training.playing = true;
  const said: string[] = [];
  const pauser = new HiddenTabPause(() => [training, idle], (text) => said.push(text));
  pauser.onVisibility("hidden");
  assert.equal(training.playing, false);
  assert.deepEqual(idle.calls, []);
  assert.match(said[0], /paused while the tab is hidden/);
  pauser.onVisibility("visible");
  assert.equal(training.playing, true);
  assert.equal(idle.playing, false, "a lab that was not training stays paused");
  assert.match(said[1], /resumed/);
  pauser.onVisibility("visible");
  assert.deepEqual(training.calls, ["pause", "play"], "a second show resumes nothing again");
});

test("nothing training, nothing said; a lab deleted or started meanwhile is left alone", () => {
  const lab = new FakeLab();
  const said: string[] = [];
  let labs: FakeLab[] = [lab];
  const pauser = new HiddenTabPause(() => labs, (text) => said.push(text));
  pauser.onVisibility("hidden");
  pauser.onVisibility("visible");
  assert.deepEqual(said, []);
  lab.playing = true;
  pauser.onVisibility("hidden");
  labs = [];
  pauser.onVisibility("visible");
  assert.deepEqual(lab.calls, ["pause"], "a deleted lab is not restarted");
  assert.equal(said.length, 1);
});
