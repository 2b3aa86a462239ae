import type { NodeType } from "../node-type.js";
import { announcementNode } from "./announcement.js";
import { collectNode } from "./collect.js";
import { dispatchNode } from "./dispatch.js";
import { enqueueNode } from "./enqueue.js";
import { gotoNode } from "./goto.js";
import { hangupNode } from "./hangup.js";
import { hoursNode } from "./hours.js";
import { menuNode } from "./menu.js";
import { recordNode } from "./record.js";
import { sayNode } from "./say.js";
import { transferNode } from "./transfer.js";

/** Every kind of state a flow may use, by its `type`. */
export const nodeTypes = {
  say: sayNode,
  announcement: announcementNode,
  hours: hoursNode,
  menu: menuNode,
  collect: collectNode,
  record: recordNode,
  enqueue: enqueueNode,
  dispatch: dispatchNode,
  transfer: transferNode,
  hangup: hangupNode,
  goto: gotoNode,
} as const;

export type NodeTypeName = keyof typeof nodeTypes;

/** The one place a state is matched to its kind. */
export function nodeTypeOf<N extends { type: NodeTypeName }>(node: N): NodeType<N> {
  return nodeTypes[node.type] as unknown as NodeType<N>;
}

export { holdTurn, type HoldTurn, type EnqueueNode } from "./enqueue.js";
