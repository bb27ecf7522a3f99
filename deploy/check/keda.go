package main

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// scaledObject is the part of KEDA's ScaledObject (keda.sh/v1alpha1) the chart writes,
// decoded strictly: KEDA's own Go module would bring a controller's dependencies in for a
// handful of fields. A field the chart starts to use is added here with KEDA's JSON name.
type scaledObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		ScaleTargetRef struct {
			APIVersion string `json:"apiVersion,omitempty"`
			Kind       string `json:"kind,omitempty"`
			Name       string `json:"name"`
		} `json:"scaleTargetRef"`
		PollingInterval *int32 `json:"pollingInterval,omitempty"`
		CooldownPeriod  *int32 `json:"cooldownPeriod,omitempty"`
		MinReplicaCount *int32 `json:"minReplicaCount,omitempty"`
		MaxReplicaCount *int32 `json:"maxReplicaCount,omitempty"`
		Triggers        []struct {
			Type              string            `json:"type"`
			Metadata          map[string]string `json:"metadata"`
			AuthenticationRef *struct {
				Name string `json:"name"`
			} `json:"authenticationRef,omitempty"`
		} `json:"triggers"`
	} `json:"spec"`
}

type triggerAuthentication struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		SecretTargetRef []struct {
			Parameter string `json:"parameter"`
			Name      string `json:"name"`
			Key       string `json:"key"`
		} `json:"secretTargetRef"`
	} `json:"spec"`
}

// required are the metadata keys KEDA refuses a trigger without.
var required = map[string][]string{
	"prometheus": {"serverAddress", "query", "threshold"},
	"redis":      {"address", "listName", "listLength"},
}

func (o *scaledObject) check(objects map[string]any) []error {
	var errs []error
	kind := o.Spec.ScaleTargetRef.Kind
	if kind == "" {
		kind = "Deployment"
	}
	if _, ok := objects[kind+"/"+o.Spec.ScaleTargetRef.Name]; !ok {
		errs = append(errs, fmt.Errorf("scale target %s/%s is not rendered", kind, o.Spec.ScaleTargetRef.Name))
	}
	if min, max := o.Spec.MinReplicaCount, o.Spec.MaxReplicaCount; min != nil && max != nil && *min > *max {
		errs = append(errs, fmt.Errorf("minReplicaCount %d above maxReplicaCount %d", *min, *max))
	}
	if len(o.Spec.Triggers) == 0 {
		errs = append(errs, fmt.Errorf("no trigger"))
	}
	for _, t := range o.Spec.Triggers {
		keys, ok := required[t.Type]
		if !ok {
			errs = append(errs, fmt.Errorf("trigger type %q the check does not know", t.Type))
		}
		for _, k := range keys {
			if t.Metadata[k] == "" {
				errs = append(errs, fmt.Errorf("%s trigger without %s", t.Type, k))
			}
		}
		if t.AuthenticationRef != nil {
			if _, ok := objects["TriggerAuthentication/"+t.AuthenticationRef.Name]; !ok {
				errs = append(errs, fmt.Errorf("authenticationRef %q is not rendered", t.AuthenticationRef.Name))
			}
		}
	}
	return errs
}
