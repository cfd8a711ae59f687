"use client";

import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { ESTIMATE_TABS, estimateSearch, type EstimateParams, type EstimateTab, type InferenceFields, type TrainingFields } from "@/lib/validation/estimate-params";
import { InferencePanel } from "./inference-panel";
import type { EstimatorGpu } from "./parts";
import { TrainingPanel } from "./training-panel";

export type { EstimatorGpu };

const TAB_LABELS: Record<EstimateTab, string> = { training: "Training", inference: "Inference" };

/**
 * The estimator's two tabs. Every figure is recomputed in the browser as
 * people type (lib/domain/estimator is pure), and the form is mirrored into
 * the address — only what differs from the defaults — so an estimate can be
 * linked or bookmarked.
 */
export function Estimator({ gpus, initial }: { gpus: EstimatorGpu[]; initial: Omit<EstimateParams, "notices"> }) {
  const defaultGpu = gpus[0]?.name ?? "";
  const [tab, setTab] = useState<EstimateTab>(initial.tab);
  const [training, setTraining] = useState<TrainingFields>(initial.training);
  const [inference, setInference] = useState<InferenceFields>(initial.inference);
  const tabRefs = useRef<Partial<Record<EstimateTab, HTMLButtonElement | null>>>({});

  useEffect(() => {
    // Debounced: browsers throttle history updates made on every keystroke.
    const timer = window.setTimeout(() => {
      const search = estimateSearch({ tab, training, inference }, defaultGpu);
      if (search !== window.location.search) window.history.replaceState(null, "", `${window.location.pathname}${search}`);
    }, 250);
    return () => window.clearTimeout(timer);
  }, [tab, training, inference, defaultGpu]);

  // A new GPU type starts from its own catalog price: the price entered was for the previous one.
  const onTrainingChange = (name: string, value: string) =>
    setTraining((prev) => ({ ...prev, [name]: value, ...(name === "gpu" && value !== prev.gpu ? { price: "" } : {}) }));
  const onInferenceChange = (name: string, value: string) =>
    setInference((prev) => ({ ...prev, [name]: value, ...(name === "igpu" && value !== prev.igpu ? { iprice: "" } : {}) }));

  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight" && event.key !== "Home" && event.key !== "End") return;
    event.preventDefault();
    const i = ESTIMATE_TABS.indexOf(tab);
    const next =
      event.key === "Home" ? ESTIMATE_TABS[0] : event.key === "End" ? ESTIMATE_TABS[ESTIMATE_TABS.length - 1]! : ESTIMATE_TABS[(i + (event.key === "ArrowRight" ? 1 : ESTIMATE_TABS.length - 1)) % ESTIMATE_TABS.length]!;
    setTab(next);
    tabRefs.current[next]?.focus();
  };

  return (
    <div>
      <div role="tablist" aria-label="Estimate" className="mb-4 inline-flex rounded-md border border-slate-300 bg-white p-0.5">
        {ESTIMATE_TABS.map((t) => (
          <button
            key={t}
            ref={(el) => {
              tabRefs.current[t] = el;
            }}
            type="button"
            role="tab"
            id={`estimate-tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`estimate-panel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => setTab(t)}
            onKeyDown={onTabKey}
            className={`rounded px-4 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 ${
              tab === t ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100"
            }`}
          >
            {TAB_LABELS[t]}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`estimate-panel-${tab}`} aria-labelledby={`estimate-tab-${tab}`}>
        {tab === "training" ? (
          <TrainingPanel gpus={gpus} fields={training} onChange={onTrainingChange} />
        ) : (
          <InferencePanel gpus={gpus} fields={inference} onChange={onInferenceChange} />
        )}
      </div>
    </div>
  );
}
